#pragma once
// The RSS account (read/rss_account.hpp) in words, for the report's header and the JSON.

#include <string>

#include "read/rss_account.hpp"

namespace slowburn::analyze {

// "RSS +1.20 GiB, tracked heap +1.10 GiB, mappings +40.0 MiB: 95% explained".
std::string rssAccountLine(const RssAccount& account);

// What growth the books do not explain can be; said when most of it is unexplained.
inline constexpr const char* kUnexplainedGrowthNote =
    "most of the RSS growth is not in the books: it can be heap fragmentation or allocator "
    "caches, an allocator the preload cannot see (linked statically), file mappings, thread "
    "stacks, or a runtime's own memory";

}  // namespace slowburn::analyze
