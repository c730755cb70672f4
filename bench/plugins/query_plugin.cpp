// The plugin bench/workloads/plugin_host.cpp loads: splits a query string into key/value
// tokens and indexes them, every allocation made in the plugin's own code.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace {

[[gnu::noinline]] std::vector<std::string> tokenize(const char* request, size_t length) {
  std::vector<std::string> tokens;
  size_t start = 0;
  for (size_t i = 0; i <= length; ++i) {
    if (i == length || request[i] == '&' || request[i] == '=') {
      tokens.emplace_back(request + start, i - start);
      start = i + 1;
    }
  }
  return tokens;
}

[[gnu::noinline]] std::map<std::string, std::string> index(const std::vector<std::string>& t) {
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < t.size(); i += 2) fields.emplace(t[i], t[i + 1]);
  return fields;
}

}  // namespace

extern "C" [[gnu::visibility("default")]] size_t plugin_handle(const char* request, size_t length) {
  const std::map<std::string, std::string> fields = index(tokenize(request, length));
  size_t sum = 0;
  for (const auto& [key, value] : fields) sum += key.size() * value.size();
  return sum;
}
