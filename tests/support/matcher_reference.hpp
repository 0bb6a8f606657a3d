// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// What the fragment matcher (src/classify/matcher.hpp) must find, the plain way: every
// pattern compared at every position its first octet allows. The unit test and the fuzz
// target compare the matcher with it.

#ifndef SMTPERR_TESTS_SUPPORT_MATCHER_REFERENCE_HPP
#define SMTPERR_TESTS_SUPPORT_MATCHER_REFERENCE_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr_test {

/// ASCII letters lower-cased; tab, line feed, vertical tab, form feed and return a space.
inline unsigned char matcher_fold(unsigned char c) {
    if (c >= 'A' && c <= 'Z') {
        return static_cast<unsigned char>(c - 'A' + 'a');
    }
    return c >= '\t' && c <= '\r' ? ' ' : c;
}

inline std::string matcher_folded(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(matcher_fold(static_cast<unsigned char>(c)));
    }
    return s;
}

inline bool matcher_alnum(unsigned char c) {
    c = matcher_fold(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// Per pattern, whether it occurs in `text`: a pattern led by a letter or digit where a
/// token starts (at the start or after an octet that is neither), one led by anything else
/// anywhere; compared after folding. At each position only the patterns whose first octet
/// is there are compared (fuzz inputs bring hundreds of patterns).
inline std::vector<bool> matcher_reference(const std::vector<std::string>& patterns,
                                           std::string_view text) {
    std::vector<bool> found(patterns.size());
    std::vector<std::vector<std::size_t>> by_first(256);
    for (std::size_t id = 0; id < patterns.size(); ++id) {
        by_first[matcher_fold(static_cast<unsigned char>(patterns[id][0]))].push_back(id);
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool token_start = i == 0 || !matcher_alnum(static_cast<unsigned char>(text[i - 1]));
        for (const std::size_t id : by_first[matcher_fold(static_cast<unsigned char>(text[i]))]) {
            const std::string& p = patterns[id];
            if (found[id] || p.size() > text.size() - i ||
                (matcher_alnum(static_cast<unsigned char>(p[0])) && !token_start)) {
                continue;
            }
            bool same = true;
            for (std::size_t k = 1; k < p.size() && same; ++k) {
                same = matcher_fold(static_cast<unsigned char>(text[i + k])) ==
                       matcher_fold(static_cast<unsigned char>(p[k]));
            }
            found[id] = same;
        }
    }
    return found;
}

}  // namespace smtperr_test

#endif  // SMTPERR_TESTS_SUPPORT_MATCHER_REFERENCE_HPP
