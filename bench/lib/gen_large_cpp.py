"""Writes a large, self-contained C++ translation unit for the compiler workload.

Thousands of distinct functions over a handful of standard container types: the compiler
parses, builds and lowers every function body (allocating trees, RTL and hash entries for
each), while the templates are instantiated only a few times, so the file is large in the
way generated code usually is. Deterministic: the same count always gives the same file.
"""
import sys

HEADER = """#include <algorithm>
#include <map>
#include <string>
#include <vector>

struct Record {
  int id = 0;
  std::string name;
  std::vector<double> values;
};

using Index = std::map<std::string, std::vector<Record>>;
"""

FUNCTION = """
int handle{i}(Index& index, const std::string& key, int n) {{
  Record r;
  r.id = n * {i} + {j};
  r.name = key + "_{i}";
  for (int k = 0; k < n % {m} + 1; ++k) r.values.push_back(k * {j}.5);
  auto& bucket = index[r.name.substr(0, {m})];
  bucket.push_back(r);
  if (bucket.size() > {cap}) bucket.erase(bucket.begin());
  int total = 0;
  for (const Record& x : bucket) total += x.id % {m} + static_cast<int>(x.values.size());
  return total + static_cast<int>(std::count(key.begin(), key.end(), 'a' + {i} % 26));
}}
"""


def generate(functions):
    parts = [HEADER]
    for i in range(functions):
        parts.append(FUNCTION.format(i=i, j=i % 9 + 1, m=i % 5 + 2, cap=i % 11 + 4))
    parts.append("\nint main() {\n  Index index;\n  int total = 0;\n")
    for i in range(functions):
        parts.append(f'  total += handle{i}(index, "key{i % 31}", {i % 17});\n')
    parts.append("  return total % 2;\n}\n")
    return "".join(parts)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: gen_large_cpp.py FUNCTIONS OUT.cpp")
    with open(sys.argv[2], "w") as f:
        f.write(generate(int(sys.argv[1])))
