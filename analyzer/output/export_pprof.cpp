#include "output/export_pprof.hpp"

#include <fmt/format.h>
#include <profile.pb.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "output/frame_text.hpp"

namespace slowburn::analyze {
namespace {

namespace pp = perftools::profiles;

constexpr double kSecondsPerHour = 3600;

// The profile's tables, each entry made once and referred to by id (1-based; 0 = none).
class Tables {
 public:
  Tables(pp::Profile& profile, const std::vector<Module>& modules) : m_profile(profile) {
    str("");  // the string table starts with ""
    for (const Module& m : modules) {
      pp::Mapping* mapping = m_profile.add_mapping();
      mapping->set_id(static_cast<uint64_t>(m_profile.mapping_size()));
      mapping->set_memory_start(m.loadAddress);
      mapping->set_memory_limit(m.loadAddress + m.size);
      mapping->set_filename(str(m.path));
      mapping->set_build_id(str(hex(m.buildId)));
      // Every location carries its function and line: pprof must not symbolize again.
      mapping->set_has_functions(true);
      mapping->set_has_filenames(true);
      mapping->set_has_line_numbers(true);
      mapping->set_has_inline_frames(true);
    }
  }

  int64_t str(const std::string& s) {
    auto [it, fresh] = m_strings.emplace(s, m_profile.string_table_size());
    if (fresh) m_profile.add_string_table(s);
    return it->second;
  }

  // One address's frames (an inline chain, innermost first, maybe cut at the location).
  uint64_t location(const Frame* first, size_t count) {
    std::string key = fmt::format("{:x}", first->address);
    std::vector<std::pair<uint64_t, int64_t>> lines;
    for (size_t i = 0; i < count; ++i) {
      lines.emplace_back(function(first[i]), first[i].line);
      key += fmt::format(" {}:{}", lines.back().first, lines.back().second);
    }
    auto [it, fresh] = m_locations.emplace(key, m_profile.location_size() + 1);
    if (!fresh) return it->second;
    pp::Location* l = m_profile.add_location();
    l->set_id(it->second);
    l->set_mapping_id(mappingOf(first->address));
    l->set_address(first->address);
    for (const auto& [functionId, line] : lines) {
      pp::Line* out = l->add_line();
      out->set_function_id(functionId);
      out->set_line(line);
    }
    return it->second;
  }

 private:
  static std::string hex(const std::string& bytes) {
    std::string out;
    for (const unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
  }

  uint64_t function(const Frame& frame) {
    const std::string name = frameName(frame);
    auto [it, fresh] =
        m_functions.emplace(std::make_pair(name, frame.file), m_profile.function_size() + 1);
    if (fresh) {
      pp::Function* f = m_profile.add_function();
      f->set_id(it->second);
      f->set_name(str(name));
      f->set_system_name(str(name));
      f->set_filename(str(frame.file));
    }
    return it->second;
  }

  // The module that holds the address; a later one replaces an earlier one, as after
  // dlclose and dlopen (the symbolizer's rule).
  uint64_t mappingOf(uint64_t address) const {
    for (int i = m_profile.mapping_size(); i-- > 0;) {
      const pp::Mapping& m = m_profile.mapping(i);
      if (address >= m.memory_start() && address < m.memory_limit()) return m.id();
    }
    return 0;
  }

  pp::Profile& m_profile;
  std::unordered_map<std::string, int64_t> m_strings;
  std::map<std::pair<std::string, std::string>, uint64_t> m_functions;
  std::unordered_map<std::string, uint64_t> m_locations;
};

// A stack from its location outward, as location ids, leaf first. Frames of one address
// are consecutive; a frame that repeats one already in the group starts the next address's
// chain (a recursive call at the same return address).
std::vector<uint64_t> locationIds(const StackView& stack, Tables& tables) {
  std::vector<uint64_t> ids;
  std::vector<Frame> group;
  const auto flush = [&] {
    if (!group.empty()) ids.push_back(tables.location(group.data(), group.size()));
    group.clear();
  };
  for (size_t i = stack.location(); i < stack.size(); ++i) {
    const Frame& f = stack[i];
    bool repeats = false;
    for (const Frame& g : group) {
      repeats = repeats || (g.function == f.function && g.file == f.file && g.line == f.line);
    }
    if (!group.empty() && (group.front().address != f.address || repeats)) flush();
    group.push_back(f);
  }
  flush();
  return ids;
}

struct SiteValues {
  int64_t objects = 0;
  int64_t bytes = 0;
  double climb = 0;  // over the running part, >= 0
};

// The live state the collapsed export shows (RankedSite::liveBeforeExit), for one site.
SiteValues valuesOf(const Profile& profile, const SiteProfile& site) {
  SiteValues v;
  // The series end where a clean exit's teardown began.
  const std::vector<SeriesPoint>& running = site.series.points();
  if (!profile.teardownS) {
    v.bytes = static_cast<int64_t>(site.liveBytes);
    v.objects = static_cast<int64_t>(site.liveCount);
  } else {
    const double bytes = static_cast<double>(liveBeforeExit(profile, site));
    v.bytes = std::llround(bytes);
    // The series holds bytes only: objects at the site's mean block size at its peak.
    if (site.peakLiveBytes > 0) {
      v.objects = std::llround(bytes * static_cast<double>(site.peakLiveCount) /
                               static_cast<double>(site.peakLiveBytes));
    }
  }
  if (!running.empty()) v.climb = std::max(0.0, running.back().v - running.front().v);
  return v;
}

void addSamples(const Analysis& analysis, const RankedSite& r, Tables& tables, pp::Profile& out) {
  std::vector<SiteValues> values;
  double climbed = 0;
  for (const size_t k : r.sites) {
    values.push_back(valuesOf(analysis.profile(), analysis.member(k)));
    climbed += values.back().climb;
  }
  const double perHour = r.growthBytesPerSec.value_or(0) * kSecondsPerHour;
  const int64_t classKey = tables.str("class");
  const int64_t classValue = tables.str(className(r.verdict.cls));
  for (size_t i = 0; i < r.sites.size(); ++i) {
    // The line's growth goes to the stacks that climbed; to the leading one if none did.
    const double share = climbed > 0 ? values[i].climb / climbed : (i == 0 ? 1.0 : 0.0);
    const int64_t growth = std::llround(perHour * share);
    if (values[i].objects == 0 && values[i].bytes == 0 && growth == 0) continue;
    pp::Sample* sample = out.add_sample();
    for (const uint64_t id : locationIds(analysis.stackOf(r.sites[i]), tables))
      sample->add_location_id(id);
    sample->add_value(values[i].objects);
    sample->add_value(values[i].bytes);
    sample->add_value(growth);
    pp::Label* label = sample->add_label();
    label->set_key(classKey);
    label->set_str(classValue);
  }
}

std::string gzip(const std::string& raw) {
  if (raw.size() > UINT32_MAX) throw std::runtime_error("the pprof profile is too large");
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("cannot start gzip");
  std::string out(deflateBound(&z, raw.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (status != Z_STREAM_END) throw std::runtime_error("cannot gzip the profile");
  return out;
}

}  // namespace

std::string exportPprof(const Analysis& analysis) {
  const Profile& p = analysis.profile();
  pp::Profile out;
  Tables tables(out, p.modules);
  const auto valueType = [&](pp::ValueType* t, const char* type, const char* unit) {
    t->set_type(tables.str(type));
    t->set_unit(tables.str(unit));
  };
  valueType(out.add_sample_type(), "inuse_objects", "count");
  valueType(out.add_sample_type(), "inuse_space", "bytes");
  valueType(out.add_sample_type(), "growth_per_hour", "bytes");
  out.set_default_sample_type(tables.str("inuse_space"));
  valueType(out.mutable_period_type(), "space", "bytes");
  // Mean bytes between sampled allocations; 1 when every allocation was recorded.
  out.set_period(static_cast<int64_t>(std::max<uint64_t>(1, p.header.sampleBytes)));
  out.set_time_nanos(static_cast<int64_t>(p.header.startRealtimeNs));
  out.set_duration_nanos(std::llround(p.durationS() * 1e9));
  out.add_comment(tables.str(fmt::format("slowburn: {} (pid {})", p.header.exe, p.header.pid)));
  out.add_comment(tables.str(p.end ? "inuse: before the exit's teardown" : "inuse: at the end"));

  for (const RankedSite& r : analysis.sites()) {
    if (analysis.site(r).isAlloc()) addSamples(analysis, r, tables, out);
  }
  std::string raw;
  if (!out.SerializeToString(&raw)) throw std::runtime_error("cannot encode the pprof profile");
  return gzip(raw);
}

}  // namespace slowburn::analyze
