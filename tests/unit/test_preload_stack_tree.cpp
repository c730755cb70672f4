// The collector's tree of stack frames: shared outer frames become shared nodes, and only
// a stack's new frames are handed out to be written.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "collect/stack_tree.hpp"

namespace {

using slowburn::preload::StackTree;

StackTree::Placement intern(StackTree& tree, std::vector<uint64_t> frames) {
  StackTree::Placement at;
  EXPECT_TRUE(tree.intern(frames.data(), static_cast<uint32_t>(frames.size()), &at));
  return at;
}

TEST(StackTree, AStackSharingOuterFramesAddsOnlyItsOwn) {
  StackTree tree;
  // Innermost first: main (0x10) -> serve (0x20) -> parse (0x30): all three new.
  StackTree::Placement at = intern(tree, {0x30, 0x20, 0x10});
  EXPECT_EQ(at.parent, StackTree::kNone);
  EXPECT_EQ(at.fresh, 3u);
  // main -> serve -> render: one new node, under serve's (node 1).
  at = intern(tree, {0x40, 0x20, 0x10});
  EXPECT_EQ(at.parent, 1u);
  EXPECT_EQ(at.fresh, 1u);
  // The same stack again: nothing new, it is node 2.
  at = intern(tree, {0x30, 0x20, 0x10});
  EXPECT_EQ(at.parent, 2u);
  EXPECT_EQ(at.fresh, 0u);
  // The same frame under another caller is another node.
  at = intern(tree, {0x30, 0x50});
  EXPECT_EQ(at.parent, StackTree::kNone);
  EXPECT_EQ(at.fresh, 2u);
  EXPECT_EQ(tree.nodes(), 6u);
  at = intern(tree, {});
  EXPECT_EQ(at.parent, StackTree::kNone);
  EXPECT_EQ(at.fresh, 0u);
}

TEST(StackTree, ManyStacksKeepTheirNodesAcrossGrowth) {
  StackTree tree;
  for (uint64_t i = 0; i < 5000; ++i) {
    const StackTree::Placement at = intern(tree, {0x9000 + i, 0x20, 0x10});
    EXPECT_EQ(at.fresh, i == 0 ? 3u : 1u);
  }
  EXPECT_EQ(tree.nodes(), 5002u);
  for (uint64_t i = 0; i < 5000; i += 7) {
    const StackTree::Placement again = intern(tree, {0x9000 + i, 0x20, 0x10});
    EXPECT_EQ(again.fresh, 0u);
    EXPECT_EQ(again.parent, i == 0 ? 2u : 2u + static_cast<uint32_t>(i));
  }
}

}  // namespace
