// slowburn attach's --duration: the forms it takes and the ones it refuses.
#include <gtest/gtest.h>

#include <stdexcept>

#include "attach/elf_symbols.hpp"
#include "commands/attach_command.hpp"

namespace sa = slowburn::analyze;

TEST(AttachDuration, PlainNumbersAreSecondsAndUnitsScale) {
  EXPECT_DOUBLE_EQ(sa::parseDuration("30"), 30.0);
  EXPECT_DOUBLE_EQ(sa::parseDuration("1.5s"), 1.5);
  EXPECT_DOUBLE_EQ(sa::parseDuration("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(sa::parseDuration("2m"), 120.0);
  EXPECT_DOUBLE_EQ(sa::parseDuration("1h"), 3600.0);
}

TEST(AttachDuration, ZeroNegativeUnknownUnitsAndGarbageAreRefused) {
  for (const char* bad : {"0", "-1", "5x", "", "s", "nan", "inf", "1e9h", "10 s"}) {
    EXPECT_THROW(sa::parseDuration(bad), std::invalid_argument) << bad;
  }
}

TEST(AttachElfSymbols, FindsLibcFunctionsAndTheFunctionAnAddressIsIn) {
  const sa::attach::DynamicSymbols libc("/lib/x86_64-linux-gnu/libc.so.6");
  const auto malloc = libc.find("malloc");
  ASSERT_TRUE(malloc.has_value());
  const sa::attach::ElfSymbol* in = libc.containing(*malloc + 1);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(libc.find(in->name), malloc);
  EXPECT_FALSE(libc.find("no_such_function_here").has_value());
  EXPECT_THROW(sa::attach::DynamicSymbols("/proc/self/status"), std::runtime_error);
}
