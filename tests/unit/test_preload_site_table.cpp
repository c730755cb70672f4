// The concurrent insert-only site table: identity, numbering, and racing inserts.

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "record/site_table.hpp"

namespace {

using slowburn::format::SiteKind;
using slowburn::format::SyscallOp;
using slowburn::preload::SiteEntry;
using slowburn::preload::SiteTable;

TEST(PreloadSiteTable, InternsOnceAndKeepsItsKeyAndKind) {
  SiteTable table;
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table.find(42), nullptr);
  SiteEntry* a = table.intern(42, SiteKind::Syscall, SyscallOp::Read);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(table.find(42), a);
  EXPECT_EQ(table.intern(42, SiteKind::Syscall, SyscallOp::Read), a);
  EXPECT_EQ(a->key, 42u);
  EXPECT_EQ(a->kind, SiteKind::Syscall);
  EXPECT_EQ(a->op, SyscallOp::Read);
  EXPECT_EQ(table.size(), 1u);
}

TEST(PreloadSiteTable, KeysSharingLongPrefixesStayDistinct) {
  SiteTable table;
  // Differ only in the lowest bits: the trie must go all the way down.
  std::vector<SiteEntry*> entries;
  for (uint64_t k = 0; k < 64; ++k) {
    const uint64_t key = 0xABCDEF0123456700ull | k;
    entries.push_back(table.intern(key, SiteKind::Alloc, SyscallOp::None));
    ASSERT_NE(entries.back(), nullptr);
  }
  for (uint64_t k = 0; k < 64; ++k) {
    SiteEntry* e = table.find(0xABCDEF0123456700ull | k);
    ASSERT_EQ(e, entries[k]);
    EXPECT_EQ(e->key, 0xABCDEF0123456700ull | k);
  }
  EXPECT_EQ(table.find(0xABCDEF0123456700ull | 64), nullptr);
}

TEST(PreloadSiteTable, NumbersSitesDenselyInTheOrderTheyWereMade) {
  SiteTable table;
  for (uint64_t k = 1; k <= 10; ++k) {
    const bool syscall = k % 3 == 0;
    SiteEntry* s =
        table.intern(k * 0x9E3779B97F4A7C15ull, syscall ? SiteKind::Syscall : SiteKind::Alloc,
                     syscall ? SyscallOp::Read : SyscallOp::None);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->id, k - 1);
    EXPECT_EQ(s->kind, syscall ? SiteKind::Syscall : SiteKind::Alloc);
    // Found again, it keeps its number.
    EXPECT_EQ(table.intern(k * 0x9E3779B97F4A7C15ull, SiteKind::Alloc, SyscallOp::None), s);
  }
  EXPECT_EQ(table.size(), 10u);
}

// Threads racing to insert overlapping keys agree on one entry per key.
TEST(PreloadSiteTable, RacingInsertsAgreeOnOneEntryPerKey) {
  SiteTable table;
  constexpr int kThreads = 4;
  constexpr uint64_t kKeys = 20000;
  std::vector<std::vector<SiteEntry*>> seen(kThreads, std::vector<SiteEntry*>(kKeys));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < kKeys; ++i) {
        const uint64_t k = (t % 2 == 0) ? i : kKeys - 1 - i;
        const uint64_t key = (k + 1) * 0xD6E8FEB86659FD93ull;
        seen[t][k] = table.intern(key, SiteKind::Alloc, SyscallOp::None);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(table.size(), kKeys);
  std::set<SiteEntry*> distinct;
  std::set<uint32_t> ids;
  for (uint64_t k = 0; k < kKeys; ++k) {
    for (int t = 1; t < kThreads; ++t) ASSERT_EQ(seen[t][k], seen[0][k]) << k;
    ASSERT_EQ(seen[0][k]->key, (k + 1) * 0xD6E8FEB86659FD93ull);
    distinct.insert(seen[0][k]);
    ids.insert(seen[0][k]->id);
  }
  EXPECT_EQ(distinct.size(), kKeys);
  EXPECT_EQ(ids.size(), kKeys);  // one number per site, even where inserts raced
}

}  // namespace
