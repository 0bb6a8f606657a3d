// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// What the fuzz targets share: an invariant check that aborts with a message (so libFuzzer
// and the regression replay both report it), a strict UTF-8 walk, and the code points no
// text shown to a user may hold.

#ifndef SMTPERR_TESTS_FUZZ_FUZZ_CHECK_HPP
#define SMTPERR_TESTS_FUZZ_FUZZ_CHECK_HPP

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace smtperr_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* what,
                              std::string_view detail) {
    std::fprintf(stderr, "%s:%d: invariant failed: %s%s%.*s\n", file, line, what,
                 detail.empty() ? "" : " - ", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

#define SMTPERR_FUZZ_CHECK(cond, detail)                               \
    do {                                                               \
        if (!(cond)) {                                                 \
            ::smtperr_fuzz::fail(__FILE__, __LINE__, #cond, (detail)); \
        }                                                              \
    } while (false)

/// Calls f(code point) for each code point of `s`; false as soon as `s` is not valid UTF-8
/// (overlongs, surrogates, values above U+10FFFF and truncated sequences included).
template <class F>
bool for_each_code_point(std::string_view s, F&& f) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        if (b0 < 0x80U) {
            len = 1;
            cp = b0;
        } else if (b0 >= 0xC2U && b0 <= 0xDFU) {
            len = 2;
            cp = b0 & 0x1FU;
        } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
            len = 3;
            cp = b0 & 0x0FU;
        } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
            len = 4;
            cp = b0 & 0x07U;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0U) != 0x80U) {
                return false;
            }
            cp = (cp << 6U) | (b & 0x3FU);
        }
        const bool overlong = (len == 3 && cp < 0x800U) || (len == 4 && cp < 0x10000U);
        if (overlong || (cp >= 0xD800U && cp <= 0xDFFFU) || cp > 0x10FFFFU) {
            return false;
        }
        f(cp);
        i += len;
    }
    return true;
}

/// The number of code points of valid UTF-8 text, or nothing when it is not valid.
inline std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t n = 0;
    if (!for_each_code_point(s, [&](char32_t) { ++n; })) {
        return std::nullopt;
    }
    return n;
}

/// Why `cp` must never be shown, or nullptr when it may be.
inline const char* forbidden(char32_t cp) {
    if (cp < 0x20U || (cp >= 0x7FU && cp <= 0x9FU)) {
        return "C0/C1 control or DEL";
    }
    if ((cp >= 0x202AU && cp <= 0x202EU) || (cp >= 0x2066U && cp <= 0x2069U) || cp == 0x200EU ||
        cp == 0x200FU || cp == 0x061CU) {
        return "bidi override, isolate or mark";
    }
    if ((cp >= 0x200BU && cp <= 0x200DU) || cp == 0x2060U || cp == 0xFEFFU) {
        return "zero-width character";
    }
    if (cp >= 0xE0000U && cp <= 0xE007FU) {
        return "tag character";
    }
    return nullptr;
}

/// Why `text` may not be shown to a user (not valid UTF-8, or a code point forbidden()
/// names), or nullptr when it may.
inline const char* unfit_to_show(std::string_view text) {
    const char* bad = nullptr;
    const bool valid = for_each_code_point(text, [&](char32_t cp) {
        if (bad == nullptr) {
            bad = forbidden(cp);
        }
    });
    return valid ? bad : "not valid UTF-8";
}

}  // namespace smtperr_fuzz

#endif  // SMTPERR_TESTS_FUZZ_FUZZ_CHECK_HPP
