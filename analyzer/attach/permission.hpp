#pragma once
// Why this process may not trace another, in one line that says how to allow it.

#include <sys/types.h>

#include <string>

#include "attach/proc_facts.hpp"

namespace slowburn::analyze::attach {

// Whether this process has CAP_SYS_PTRACE in its effective set.
bool hasPtraceCapability();
// kernel.yama.ptrace_scope, or -1 without Yama.
int yamaScope();

// Reasons known before touching the process (Yama forbids it outright, another tracer is
// there); "" when none.
std::string refusalBeforeTracing(const ProcessFacts& target);
// After PTRACE_SEIZE failed with err: why, and how to allow it.
std::string explainSeizeFailure(const ProcessFacts& target, int err);

}  // namespace slowburn::analyze::attach
