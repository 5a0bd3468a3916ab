// Suggestions for misspelt names (keys, preset ids, dtypes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cw {

// Levenshtein edit distance between a and b.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is within a third of its length (at
// least 2 edits), else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "Did you mean 'x'?" or, with no close match, "valid: a, b, c".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cw
