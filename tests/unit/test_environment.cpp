// The environment contract (slowburn/environment.hpp): its limits, the words it refuses with,
// and the two halves that enforce it, the preload's options and `slowburn run`'s flags,
// accepting and refusing exactly the same values.

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/run_flags.hpp"
#include "lifecycle/options.hpp"
#include "slowburn/environment.hpp"

namespace {

namespace env = slowburn::env;
using slowburn::analyze::addRecordingFlags;
using slowburn::analyze::RunSettings;
using slowburn::preload::Options;
using slowburn::preload::parseOptions;

const env::NumberSetting* const kNumbers[] = {&env::kIntervalMs, &env::kDepth, &env::kSampleBytes};

bool parses(const env::NumberSetting& setting, const std::string& text, uint64_t* v) {
  return env::parseNumber(setting, text.c_str(), v);
}

TEST(EnvironmentContract, NumbersTakeTheirWholeRangeAndNothingElse) {
  for (const env::NumberSetting* s : kNumbers) {
    uint64_t v = 0;
    EXPECT_TRUE(parses(*s, std::to_string(s->min), &v) && v == s->min) << s->name;
    EXPECT_TRUE(parses(*s, std::to_string(s->max), &v) && v == s->max) << s->name;
    EXPECT_TRUE(parses(*s, std::to_string(s->defaultValue), &v) && v == s->defaultValue) << s->name;
    EXPECT_FALSE(parses(*s, std::to_string(s->max + 1), &v)) << s->name;
    if (s->min > 0) {
      EXPECT_FALSE(parses(*s, std::to_string(s->min - 1), &v)) << s->name;
    }
    for (const char* bad :
         {"", "+1", "-1", " 1", "1 ", "1k", "0x10", "1e3", "99999999999999999999999"}) {
      EXPECT_FALSE(parses(*s, bad, &v)) << s->name << " " << bad;
    }
  }
}

TEST(EnvironmentContract, RefusalWordsNameTheLimits) {
  for (const env::NumberSetting* s : {&env::kIntervalMs, &env::kDepth}) {
    const std::string range = std::to_string(s->min) + " to " + std::to_string(s->max);
    EXPECT_NE(std::string(s->expected).find(range), std::string::npos) << s->expected;
  }
  EXPECT_EQ(env::kSampleBytes.max, uint64_t{1} << 40);
  EXPECT_NE(std::string(env::kSampleBytes.expected).find("0 to 2^40"), std::string::npos);
  const std::string outLimit = "shorter than " + std::to_string(env::kMaxOutBytes + 1) + " bytes";
  EXPECT_NE(std::string(env::kOut.expected).find(outLimit), std::string::npos);
}

TEST(EnvironmentContract, OutPathsUpToTheLimit) {
  EXPECT_FALSE(env::validOut(nullptr));
  EXPECT_FALSE(env::validOut(""));
  EXPECT_TRUE(env::validOut(std::string(env::kMaxOutBytes, 'a').c_str()));
  EXPECT_FALSE(env::validOut(std::string(env::kMaxOutBytes + 1, 'a').c_str()));
}

TEST(EnvironmentContract, TheDefaultDumpNameIsWhatRunLooksFor) {
  const std::string name = env::kDefaultDumpName;
  EXPECT_EQ(name.rfind(env::kDumpPrefix, 0), 0u);
  EXPECT_EQ(name.substr(name.size() - env::kDumpSuffix.size()), env::kDumpSuffix);
  EXPECT_STREQ(Options().outPattern, env::kDefaultDumpName);
}

// What the preload makes of one variable: the complaint it prints, or "" when it takes it.
std::map<std::string, std::string> g_env;
std::string g_complaint;

std::string preloadVerdict(const std::string& name, const std::string& value, Options& options) {
  g_env = {{name, value}};
  g_complaint.clear();
  parseOptions(
      [](const char* n) -> const char* {
        auto it = g_env.find(n);
        return it == g_env.end() ? nullptr : it->second.c_str();
      },
      [](const char* line) { g_complaint = line; }, options);
  return g_complaint;
}

// What `slowburn run` makes of one flag: the refusal, or "" when it takes it.
std::string runVerdict(const std::string& flag, const std::string& value, RunSettings& settings) {
  CLI::App app;
  addRecordingFlags(app, settings);
  try {
    app.parse(flag + " " + value, false);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

struct FlagCase {
  const char* flag;
  const char* variable;
  const char* expected;
  std::vector<std::string> good;
  std::vector<std::string> bad;
};

TEST(EnvironmentContract, RunRefusesWhatThePreloadWouldInTheSameWords) {
  const std::vector<FlagCase> cases = {
      {"--interval",
       env::kIntervalMs.name,
       env::kIntervalMs.expected,
       {"1", "250", "3600000"},
       {"0", "3600001", "4294967296", "+5", "1s"}},
      {"--depth", env::kDepth.name, env::kDepth.expected, {"1", "256"}, {"0", "257", "-1"}},
      {"--sample-bytes",
       env::kSampleBytes.name,
       env::kSampleBytes.expected,
       {"0", "524288", "1099511627776"},
       {"1099511627777", "12k", "-4096"}},
      {"--syscalls",
       env::kSyscalls.name,
       env::kSyscalls.expected,
       {"all", "none", "read,recv,sendmsg"},
       {"read,,write", "pwrite", "READ", "read,"}},
  };
  for (const FlagCase& c : cases) {
    for (const std::string& value : c.good) {
      Options options;
      RunSettings settings;
      EXPECT_EQ(preloadVerdict(c.variable, value, options), "") << c.variable << "=" << value;
      EXPECT_EQ(runVerdict(c.flag, value, settings), "") << c.flag << " " << value;
    }
    for (const std::string& value : c.bad) {
      Options options;
      RunSettings settings;
      const std::string preload = preloadVerdict(c.variable, value, options);
      const std::string run = runVerdict(c.flag, value, settings);
      EXPECT_NE(preload.find(std::string("(expected ") + c.expected + ")"), std::string::npos)
          << preload;
      EXPECT_EQ(run, std::string(c.flag) + ": expected " + c.expected + ", not \"" + value + "\"");
    }
  }
}

TEST(EnvironmentContract, RunPassesOnTheValuesThePreloadReads) {
  RunSettings settings;
  ASSERT_EQ(runVerdict("--interval", "250", settings), "");
  Options options;
  ASSERT_EQ(preloadVerdict(env::kIntervalMs.name, std::to_string(*settings.intervalMs), options),
            "");
  EXPECT_EQ(options.intervalMs, 250u);
  ASSERT_EQ(runVerdict("--syscalls", "read,recv", settings), "");
  ASSERT_EQ(preloadVerdict(env::kSyscalls.name, *settings.syscalls, options), "");
  EXPECT_TRUE(options.counts(slowburn::format::SyscallOp::Recv));
  EXPECT_FALSE(options.counts(slowburn::format::SyscallOp::Write));
}

}  // namespace
