// Abseil links and runs.
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include <gtest/gtest.h>

TEST(AbslSmoke, StringsAndMaps) {
  absl::flat_hash_map<std::string, int> counts;
  for (absl::string_view word : absl::StrSplit("a,b,a,c,a", ','))
    ++counts[word];
  EXPECT_EQ(counts["a"], 3);
  EXPECT_EQ(absl::StrCat("lazy:", 0), "lazy:0");
}
