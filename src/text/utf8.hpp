// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_TEXT_UTF8_HPP
#define SMTPERR_SRC_TEXT_UTF8_HPP

#include <cstddef>
#include <string_view>

namespace smtperr::detail {

constexpr unsigned char byte_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]);
}

constexpr bool in_range(unsigned char b, unsigned lo, unsigned hi) noexcept {
    return b >= lo && b <= hi;
}

/// One decoded code point: its value and length, or `valid == false` with the length of the
/// maximal ill-formed subpart (Unicode §3.9, "U+FFFD substitution of maximal subparts").
struct decoded {
    char32_t cp = 0;
    std::size_t length = 1;
    bool valid = false;
};

/// The code point that starts at `s[i]` (`i < s.size()`), checked as Unicode §3.9 says.
constexpr decoded decode(std::string_view s, std::size_t i) noexcept {
    const unsigned char b0 = byte_at(s, i);
    if (b0 < 0x80U) {
        return {b0, 1, true};
    }
    std::size_t need = 0;             // continuation bytes after the lead byte
    unsigned lo = 0x80U, hi = 0xBFU;  // the allowed range of the first continuation byte
    char32_t cp = 0;
    if (in_range(b0, 0xC2U, 0xDFU)) {
        need = 1;
        cp = b0 & 0x1FU;
    } else if (in_range(b0, 0xE0U, 0xEFU)) {
        need = 2;
        cp = b0 & 0x0FU;
        if (b0 == 0xE0U) {
            lo = 0xA0U;  // no overlongs
        } else if (b0 == 0xEDU) {
            hi = 0x9FU;  // no surrogates
        }
    } else if (in_range(b0, 0xF0U, 0xF4U)) {
        need = 3;
        cp = b0 & 0x07U;
        if (b0 == 0xF0U) {
            lo = 0x90U;  // no overlongs
        } else if (b0 == 0xF4U) {
            hi = 0x8FU;  // nothing above U+10FFFF
        }
    } else {
        return {};  // a continuation byte, C0/C1 (overlong leads) or F5..FF
    }
    std::size_t len = 1;
    for (std::size_t k = 0; k < need; ++k, ++len) {
        if (i + len >= s.size()) {
            return {0, len, false};  // truncated at the end of the line
        }
        const unsigned char b = byte_at(s, i + len);
        if (k == 0 ? !in_range(b, lo, hi) : !in_range(b, 0x80U, 0xBFU)) {
            return {0, len, false};
        }
        cp = (cp << 6U) | (b & 0x3FU);
    }
    return {cp, len, true};
}

/// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
constexpr bool valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const decoded d = decode(s, i);
        if (!d.valid) {
            return false;
        }
        i += d.length;
    }
    return true;
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_TEXT_UTF8_HPP
