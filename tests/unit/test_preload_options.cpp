// Environment options: defaults, accepted values, and rejected ones.

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "lifecycle/options.hpp"

namespace {

using slowburn::env::parseSyscallList;
using slowburn::format::syscallName;
using slowburn::format::SyscallOp;
using slowburn::preload::Options;
using slowburn::preload::parseOptions;

std::map<std::string, std::string> g_env;
std::vector<std::string> g_complaints;

const char* lookup(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? nullptr : it->second.c_str();
}
void complain(const char* line) { g_complaints.emplace_back(line); }

Options parse(std::map<std::string, std::string> env) {
  g_env = std::move(env);
  g_complaints.clear();
  Options o;
  parseOptions(&lookup, &complain, o);
  return o;
}

TEST(PreloadOptions, DefaultsWhenNothingIsSet) {
  const Options o = parse({});
  EXPECT_STREQ(o.outPattern, "slowburn.%e.%p.sb");
  EXPECT_EQ(o.intervalMs, 100u);
  EXPECT_EQ(o.depth, 32u);
  EXPECT_EQ(o.sampleBytes, 0u);
  for (unsigned op = 1; op <= slowburn::format::kMaxSyscallOp; ++op) {
    EXPECT_TRUE(o.counts(static_cast<SyscallOp>(op))) << op;
  }
  EXPECT_FALSE(o.counts(SyscallOp::None));
  EXPECT_TRUE(g_complaints.empty());
}

TEST(PreloadOptions, AcceptsGoodValues) {
  const Options o = parse({{"SLOWBURN_OUT", "/tmp/x.%p.sb"},
                           {"SLOWBURN_INTERVAL_MS", "250"},
                           {"SLOWBURN_DEPTH", "256"},
                           {"SLOWBURN_SAMPLE_BYTES", "524288"},
                           {"SLOWBURN_SYSCALLS", "read,recv,sendmsg"}});
  EXPECT_STREQ(o.outPattern, "/tmp/x.%p.sb");
  EXPECT_EQ(o.intervalMs, 250u);
  EXPECT_EQ(o.depth, 256u);
  EXPECT_EQ(o.sampleBytes, 524288u);
  EXPECT_TRUE(o.counts(SyscallOp::Read));
  EXPECT_TRUE(o.counts(SyscallOp::Recv));
  EXPECT_TRUE(o.counts(SyscallOp::Sendmsg));
  EXPECT_FALSE(o.counts(SyscallOp::Write));
  EXPECT_FALSE(o.counts(SyscallOp::Pread64));
  EXPECT_TRUE(g_complaints.empty());
}

TEST(PreloadOptions, ADirectoryGetsTheDefaultNameInside) {
  const Options o = parse({{"SLOWBURN_OUT", "/var/tmp/dumps/"}});
  EXPECT_STREQ(o.outPattern, "/var/tmp/dumps/slowburn.%e.%p.sb");
}

TEST(PreloadOptions, RejectsBadValuesOneLineEachAndKeepsDefaults) {
  const Options o = parse({{"SLOWBURN_OUT", ""},
                           {"SLOWBURN_INTERVAL_MS", "0"},
                           {"SLOWBURN_DEPTH", "257"},
                           {"SLOWBURN_SAMPLE_BYTES", "12k"},
                           {"SLOWBURN_SYSCALLS", "read,,write"}});
  EXPECT_STREQ(o.outPattern, "slowburn.%e.%p.sb");
  EXPECT_EQ(o.intervalMs, 100u);
  EXPECT_EQ(o.depth, 32u);
  EXPECT_EQ(o.sampleBytes, 0u);
  EXPECT_TRUE(o.counts(SyscallOp::Write));
  ASSERT_EQ(g_complaints.size(), 5u);
  for (const auto& line : g_complaints) {
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.rfind("ignoring SLOWBURN_", 0), 0u) << line;
  }
  parse({{"SLOWBURN_INTERVAL_MS", "-5"}, {"SLOWBURN_DEPTH", "99999999999999999999999"}});
  EXPECT_EQ(g_complaints.size(), 2u);
}

TEST(PreloadOptions, SyscallListsByFunctionName) {
  uint32_t mask = 0;
  EXPECT_TRUE(parseSyscallList("none", &mask));
  EXPECT_EQ(mask, 0u);
  EXPECT_TRUE(parseSyscallList("all", &mask));
  EXPECT_EQ(mask, slowburn::env::kAllSyscalls);
  EXPECT_TRUE(parseSyscallList("pwrite64", &mask));
  EXPECT_EQ(mask, 1u << static_cast<unsigned>(SyscallOp::Pwrite64));
  EXPECT_FALSE(parseSyscallList("pwrite", &mask));
  EXPECT_FALSE(parseSyscallList("", &mask));
  EXPECT_FALSE(parseSyscallList("read,", &mask));
  EXPECT_FALSE(parseSyscallList("READ", &mask));
  for (unsigned op = 1; op <= slowburn::format::kMaxSyscallOp; ++op) {
    uint32_t one = 0;
    ASSERT_TRUE(parseSyscallList(syscallName(static_cast<SyscallOp>(op)), &one)) << op;
    EXPECT_EQ(one, 1u << op);
  }
}

}  // namespace
