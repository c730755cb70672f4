#include "rank/match_locations.hpp"

#include <algorithm>
#include <map>

namespace slowburn::analyze {
namespace {

std::string baseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string prefix(const LocationKey& k) {
  return std::to_string(static_cast<int>(k.kind)) + '\x1f' +
         std::to_string(static_cast<int>(k.op)) + '\x1f';
}

// What the line is called; "" when it has no name at all.
std::string lineIdentity(const LocationKey& k) {
  if (!k.file.empty() && k.line > 0) {
    return prefix(k) + "L" + k.function + '\x1f' + baseName(k.file) + '\x1f' +
           std::to_string(k.line);
  }
  if (!k.function.empty()) return prefix(k) + "F" + k.function + '\x1f' + baseName(k.module);
  if (!k.module.empty())
    return prefix(k) + "O" + baseName(k.module) + '\x1f' + std::to_string(k.offset);
  return "";
}

std::string stackIdentity(const LocationKey& k) {
  std::string id;
  for (const std::string& f : k.context) id += '\x1e' + f;
  return id;
}

// The line reached the same way.
std::string lineAndStackIdentity(const LocationKey& k) {
  const std::string line = lineIdentity(k);
  return line.empty() ? line : line + stackIdentity(k);
}

// The same function reached the same way, whatever the line; "" without a function.
std::string movedIdentity(const LocationKey& k) {
  if (k.function.empty()) return "";
  return prefix(k) + k.function + '\x1f' + baseName(k.file) + stackIdentity(k);
}

using Groups = std::map<std::string, std::vector<size_t>>;

Groups group(const std::vector<LocationKey>& keys, const std::vector<bool>& paired,
             std::string (*identity)(const LocationKey&)) {
  Groups groups;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (paired[i]) continue;
    std::string id = identity(keys[i]);
    if (!id.empty()) groups[std::move(id)].push_back(i);
  }
  return groups;
}

}  // namespace

std::vector<LocationPair> matchLocations(const std::vector<LocationKey>& a,
                                         const std::vector<LocationKey>& b) {
  std::vector<bool> pairedA(a.size()), pairedB(b.size());
  std::vector<std::optional<size_t>> partnerOfB(b.size());
  std::vector<bool> movedB(b.size());
  const auto pair = [&](size_t i, size_t j, bool moved) {
    pairedA[i] = pairedB[j] = true;
    partnerOfB[j] = i;
    movedB[j] = moved;
  };

  // Pairs a's and b's keys of one identity: keys come in rank order, so the first with the
  // first (or, for moved lines, in line order when both sides have as many).
  const auto pass = [&](std::string (*identity)(const LocationKey&), bool moved) {
    const Groups fromA = group(a, pairedA, identity);
    for (auto [id, js] : group(b, pairedB, identity)) {
      const auto found = fromA.find(id);
      if (found == fromA.end()) continue;
      std::vector<size_t> is = found->second;
      if (moved) {
        if (is.size() != js.size()) continue;
        const auto byLine = [](const std::vector<LocationKey>& keys) {
          return [&keys](size_t x, size_t y) { return keys[x].line < keys[y].line; };
        };
        std::stable_sort(is.begin(), is.end(), byLine(a));
        std::stable_sort(js.begin(), js.end(), byLine(b));
      }
      for (size_t k = 0; k < std::min(js.size(), is.size()); ++k) {
        pair(is[k], js[k], moved && a[is[k]].line != b[js[k]].line);
      }
    }
  };
  pass(lineAndStackIdentity, false);
  pass(movedIdentity, true);
  pass(lineIdentity, false);

  std::vector<LocationPair> pairs;
  for (size_t j = 0; j < b.size(); ++j) pairs.push_back({partnerOfB[j], j, movedB[j]});
  for (size_t i = 0; i < a.size(); ++i) {
    if (!pairedA[i]) pairs.push_back({i, std::nullopt, false});
  }
  return pairs;
}

}  // namespace slowburn::analyze
