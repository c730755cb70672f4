#include <gtest/gtest.h>

#include <map>

#include "rank/match_locations.hpp"

namespace slowburn::analyze {
namespace {

LocationKey line(const std::string& function, int number, std::vector<std::string> context,
                 const std::string& dir = "/a") {
  LocationKey k;
  k.function = function;
  k.file = dir + "/server.cpp";
  k.line = number;
  k.module = dir + "/server";
  k.offset = 0x1000 + static_cast<uint64_t>(number);  // differs between builds
  k.context = std::move(context);
  return k;
}

// b index -> a index, for the pairs that have both.
std::map<size_t, size_t> partners(const std::vector<LocationPair>& pairs) {
  std::map<size_t, size_t> out;
  for (const LocationPair& p : pairs) {
    if (p.a && p.b) out[*p.b] = *p.a;
  }
  return out;
}

TEST(MatchLocations, SameLineAndStackMatchWhateverTheDirectoryAndOffset) {
  const std::vector<LocationKey> a = {line("handle(int)", 47, {"operator new", "main"})};
  const std::vector<LocationKey> b = {line("handle(int)", 47, {"operator new", "main"}, "/b")};
  const auto pairs = matchLocations(a, b);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].a, 0u);
  EXPECT_FALSE(pairs[0].moved);
}

TEST(MatchLocations, LinesThatMovedPairByStackNotByTheirOldNumbers) {
  // Two lines were inserted above: the cache's push_back is now on line 47, and line 45,
  // where it was, now holds the append.
  const std::vector<LocationKey> a = {line("handle(int)", 42, {"new", "append", "main"}),
                                      line("handle(int)", 45, {"new", "push_back", "main"})};
  const std::vector<LocationKey> b = {line("handle(int)", 47, {"new", "push_back", "main"}),
                                      line("handle(int)", 45, {"new", "append", "main"})};
  const auto pairs = matchLocations(a, b);
  EXPECT_EQ(partners(pairs), (std::map<size_t, size_t>{{0, 1}, {1, 0}}));
  for (const LocationPair& p : pairs) EXPECT_TRUE(p.moved);
}

TEST(MatchLocations, SeveralMovedLinesOfOneStackPairInLineOrderOnlyWhenAsMany) {
  const std::vector<std::string> ctx = {"new", "main"};
  const std::vector<LocationKey> a = {line("f", 10, ctx), line("f", 20, ctx)};
  const std::vector<LocationKey> b = {line("f", 25, ctx), line("f", 15, ctx)};
  EXPECT_EQ(partners(matchLocations(a, b)), (std::map<size_t, size_t>{{1, 0}, {0, 1}}));
  const std::vector<LocationKey> three = {line("f", 15, ctx), line("f", 25, ctx),
                                          line("f", 35, ctx)};
  EXPECT_TRUE(partners(matchLocations(a, three)).empty());  // which one is new? unknown
}

TEST(MatchLocations, SameLineWithAnotherCallerStillMatches) {
  const std::vector<LocationKey> a = {line("handle(int)", 47, {"new", "main"})};
  const std::vector<LocationKey> b = {line("handle(int)", 47, {"new", "serve", "main"})};
  const auto pairs = matchLocations(a, b);
  EXPECT_EQ(partners(pairs), (std::map<size_t, size_t>{{0, 0}}));
  EXPECT_FALSE(pairs[0].moved);
}

TEST(MatchLocations, WithoutSourceByFunctionOrModuleOffsetNeverByAddressAlone) {
  LocationKey byFunction;
  byFunction.function = "handle";
  byFunction.module = "/a/server";
  LocationKey byOffset;
  byOffset.module = "/a/libx.so";
  byOffset.offset = 0x1136;
  const LocationKey bare;  // only an address was known
  const std::vector<LocationKey> a = {byFunction, byOffset, bare};
  LocationKey movedFunction = byFunction;
  movedFunction.module = "/b/server";
  LocationKey otherOffset = byOffset;
  otherOffset.offset = 0x2000;
  const std::vector<LocationKey> b = {bare, movedFunction, byOffset, otherOffset};
  const auto pairs = matchLocations(a, b);
  EXPECT_EQ(partners(pairs), (std::map<size_t, size_t>{{1, 0}, {2, 1}}));
  EXPECT_EQ(pairs.size(), 5u);  // b's bare and other offset new, a's bare gone
}

}  // namespace
}  // namespace slowburn::analyze
