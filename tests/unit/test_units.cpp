#include <gtest/gtest.h>

#include <stdexcept>

#include "output/units.hpp"

namespace slowburn::analyze {
namespace {

TEST(Units, ParsesBinaryAndDecimalRates) {
  EXPECT_DOUBLE_EQ(parseRate("1MiB/min"), 1048576.0 / 60.0);
  EXPECT_DOUBLE_EQ(parseRate("512KiB/s"), 512.0 * 1024.0);
  EXPECT_DOUBLE_EQ(parseRate("10MB/h"), 10e6 / 3600.0);
  EXPECT_DOUBLE_EQ(parseRate("2.5 GiB / day"), 2.5 * 1073741824.0 / 86400.0);
  EXPECT_DOUBLE_EQ(parseRate("100/min"), 100.0 / 60.0);
  EXPECT_DOUBLE_EQ(parseRate("0"), 0.0);
}

TEST(Units, PlainNumberIsBytesPerSecond) {
  EXPECT_DOUBLE_EQ(parseRate("4096"), 4096.0);
  EXPECT_DOUBLE_EQ(parseRate(" 12.5 "), 12.5);
}

TEST(Units, RejectsMalformedRates) {
  for (const char* bad : {"", "fast", "-1MiB/s", "1MiB", "1XB/s", "1MiB/fortnight", "1e3", "nan",
                          "inf/s", "1MiB/s/s", ".", "0x10"}) {
    EXPECT_THROW(parseRate(bad), std::invalid_argument) << bad;
  }
}

TEST(Units, ErrorNamesTheInput) {
  try {
    parseRate("3 parsecs/s");
    FAIL() << "accepted a bad unit";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("parsecs"), std::string::npos) << e.what();
  }
}

TEST(Units, FormatsBytesWithThreeSignificantDigits) {
  EXPECT_EQ(formatBytes(0), "0 B");
  EXPECT_EQ(formatBytes(48), "48 B");
  EXPECT_EQ(formatBytes(1023), "1023 B");
  EXPECT_EQ(formatBytes(1536), "1.50 KiB");
  EXPECT_EQ(formatBytes(36.0 * 1048576), "36.0 MiB");
  EXPECT_EQ(formatBytes(200.0 * 1048576), "200 MiB");
  EXPECT_EQ(formatBytes(1048575), "1.00 MiB");
  EXPECT_EQ(formatBytes(-2048), "-2.00 KiB");
}

TEST(Units, FormatsFastRatesPerSecondAndSlowOnesPerHour) {
  EXPECT_EQ(formatRate(0), "0 B/s");
  EXPECT_EQ(formatRate(1.6 * 1048576), "1.60 MiB/s");
  EXPECT_EQ(formatRate(2048), "2.00 KiB/s");
  EXPECT_EQ(formatRate(1048576.0 / 3600.0), "1.00 MiB/h");
  EXPECT_EQ(formatRate(0.1), "360 B/h");
  EXPECT_EQ(formatRate(-4096), "-4.00 KiB/s");
}

TEST(Units, RateRoundTripsThroughItsPrintedForm) {
  EXPECT_NEAR(parseRate("1.00MiB/h"), 1048576.0 / 3600.0, 1e-9);
  EXPECT_NEAR(parseRate("2.00KiB/s"), 2048.0, 1e-9);
}

TEST(Units, FormatsDurations) {
  EXPECT_EQ(formatDuration(0.85), "850 ms");
  EXPECT_EQ(formatDuration(5.2), "5.20 s");
  EXPECT_EQ(formatDuration(185), "3m05s");
  EXPECT_EQ(formatDuration(7260), "2h01m");
}

}  // namespace
}  // namespace slowburn::analyze
