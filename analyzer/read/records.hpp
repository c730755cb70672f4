#pragma once
// The dump's records as the analyzer keeps them: the structs of include/slowburn/records.hpp
// holding their own text and lists, so they outlive the reader's buffer.

#include <string>
#include <vector>

#include "slowburn/records.hpp"

namespace slowburn::analyze {

struct Owned {
  using Text = std::string;
  template <class T>
  using List = std::vector<T>;
};

using Header = format::Header<Owned>;
using Module = format::Module<Owned>;  // also what the symbolizer maps addresses with
using Site = format::Site<Owned>;
using SiteChange = format::SiteChange;
using Snapshot = format::Snapshot<Owned>;
using Note = format::Note<Owned>;
using End = format::End;
using Teardown = format::Teardown;
using Chunk = format::Chunk<Owned>;

}  // namespace slowburn::analyze
