// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Untrusted server text → one safe line of valid UTF-8.
//
// One pass over the input, line by line. Each line is cleaned (escape sequences and invisible
// or control characters removed, whitespace collapsed, invalid UTF-8 replaced), then any
// enhanced status codes at its start are dropped and it is appended to the result. Every step
// only moves forward, so the work is linear in the input size; every read is bounds-checked.

#include <smtperr/messages/messages.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "text/utf8.hpp"

namespace smtperr {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";               // U+2026

using detail::byte_at;
using detail::decode;
using detail::decoded;
using detail::in_range;

enum class kind { keep, space, drop };

/// Code points from U+007F up that are not shown as they are, sorted: Unicode's white space
/// becomes a space; DEL, the C1 controls and every default-ignorable code point (Unicode 15,
/// DerivedCoreProperties.txt: invisible, yet able to make "g\u034Fmail.com" read as
/// "gmail.com" or reorder the text) are dropped, as are the interlinear annotation marks.
struct special_range {
    char32_t first;
    char32_t last;
    kind what;
};
constexpr special_range specials[] = {
    {0x007F, 0x0084, kind::drop},    // DEL, C1 controls
    {0x0085, 0x0085, kind::space},   // next line
    {0x0086, 0x009F, kind::drop},    // C1 controls
    {0x00A0, 0x00A0, kind::space},   // no-break space
    {0x00AD, 0x00AD, kind::drop},    // soft hyphen
    {0x034F, 0x034F, kind::drop},    // combining grapheme joiner
    {0x061C, 0x061C, kind::drop},    // Arabic letter mark
    {0x115F, 0x1160, kind::drop},    // Hangul choseong and jungseong fillers
    {0x1680, 0x1680, kind::space},   // Ogham space mark
    {0x17B4, 0x17B5, kind::drop},    // Khmer inherent vowels
    {0x180B, 0x180F, kind::drop},    // Mongolian variation selectors, vowel separator
    {0x2000, 0x200A, kind::space},   // en quad .. hair space
    {0x200B, 0x200F, kind::drop},    // zero-width space and joiners, LRM, RLM
    {0x2028, 0x2029, kind::space},   // line and paragraph separators
    {0x202A, 0x202E, kind::drop},    // LRE, RLE, PDF, LRO, RLO
    {0x202F, 0x202F, kind::space},   // narrow no-break space
    {0x205F, 0x205F, kind::space},   // medium mathematical space
    {0x2060, 0x206F, kind::drop},    // word joiner, invisible operators, isolates, …
    {0x3000, 0x3000, kind::space},   // ideographic space
    {0x3164, 0x3164, kind::drop},    // Hangul filler
    {0xFE00, 0xFE0F, kind::drop},    // variation selectors
    {0xFEFF, 0xFEFF, kind::drop},    // zero-width no-break space (BOM)
    {0xFFA0, 0xFFA0, kind::drop},    // halfwidth Hangul filler
    {0xFFF0, 0xFFFB, kind::drop},    // reserved, interlinear annotation
    {0x1BCA0, 0x1BCA3, kind::drop},  // shorthand format controls
    {0x1D173, 0x1D17A, kind::drop},  // musical symbol format controls
    {0xE0000, 0xE0FFF, kind::drop},  // tags, variation selectors supplement, reserved
};

/// What happens to a (valid) code point that does not start an escape sequence.
constexpr kind classify(char32_t c) noexcept {
    if (c < 0x20U) {  // C0: the white-space ones become a space (TAB, LF, VT, FF, CR, FS..US)
        return (c >= 0x09U && c <= 0x0DU) || c >= 0x1CU ? kind::space : kind::drop;
    }
    if (c == 0x20U) {
        return kind::space;
    }
    for (const auto& r : specials) {
        if (c < r.first) {
            break;
        }
        if (c <= r.last) {
            return r.what;
        }
    }
    return kind::keep;
}

/// The end of a CSI sequence whose parameters start at `j`: parameter bytes, intermediate
/// bytes, one final byte. A malformed sequence ends before the offending byte.
std::size_t skip_csi(std::string_view s, std::size_t j) noexcept {
    while (j < s.size() && in_range(byte_at(s, j), 0x30U, 0x3FU)) {
        ++j;
    }
    while (j < s.size() && in_range(byte_at(s, j), 0x20U, 0x2FU)) {
        ++j;
    }
    if (j < s.size() && in_range(byte_at(s, j), 0x40U, 0x7EU)) {
        ++j;
    }
    return j;
}

/// The end of a control string (OSC, DCS, SOS, PM, APC) whose body starts at `j`: after BEL,
/// ST (ESC \ or U+009C) or CAN/SUB; before an ESC that starts something else; or the end of
/// the line when it is never terminated.
std::size_t skip_string(std::string_view s, std::size_t j) noexcept {
    for (; j < s.size(); ++j) {
        const unsigned char b = byte_at(s, j);
        if (b == 0x07U || b == 0x18U || b == 0x1AU) {
            return j + 1;
        }
        if (b == 0x1BU) {
            return (j + 1 < s.size() && s[j + 1] == '\\') ? j + 2 : j;
        }
        if (b == 0xC2U && j + 1 < s.size() && byte_at(s, j + 1) == 0x9CU) {
            return j + 2;
        }
    }
    return j;
}

/// The end of an escape sequence starting with the ESC at `i`.
std::size_t skip_escape(std::string_view s, std::size_t i) noexcept {
    std::size_t j = i + 1;
    if (j >= s.size()) {
        return j;
    }
    const unsigned char b = byte_at(s, j);
    switch (b) {
        case '[':
            return skip_csi(s, j + 1);
        case ']':
        case 'P':
        case 'X':
        case '^':
        case '_':
            return skip_string(s, j + 1);
        default:
            break;
    }
    if (in_range(b, 0x20U, 0x2FU)) {  // nF: intermediates, then one final byte
        while (j < s.size() && in_range(byte_at(s, j), 0x20U, 0x2FU)) {
            ++j;
        }
        if (j < s.size() && in_range(byte_at(s, j), 0x30U, 0x7EU)) {
            ++j;
        }
        return j;
    }
    if (in_range(b, 0x30U, 0x7EU)) {  // ESC + one character
        return j + 1;
    }
    return j;  // a lone ESC: only the ESC goes
}

/// Cleans one line (no '\n' in it) into `out`: single spaces, no leading or trailing space.
void clean_line(std::string_view s, std::string& out) {
    out.clear();
    bool pending_space = false;
    std::size_t i = 0;
    while (i < s.size()) {
        const decoded d = decode(s, i);
        std::size_t next = i + d.length;
        std::string_view piece;
        if (!d.valid) {
            piece = replacement_character;
        } else if (d.cp == 0x1BU) {
            next = skip_escape(s, i);
        } else if (d.cp == 0x9BU) {  // C1 CSI
            next = skip_csi(s, next);
        } else if (d.cp == 0x90U || d.cp == 0x98U || d.cp == 0x9DU || d.cp == 0x9EU ||
                   d.cp == 0x9FU) {  // C1 DCS, SOS, OSC, PM, APC
            next = skip_string(s, next);
        } else {
            switch (classify(d.cp)) {
                case kind::keep:
                    piece = s.substr(i, d.length);
                    break;
                case kind::space:
                    pending_space = true;
                    break;
                case kind::drop:
                    break;
            }
        }
        if (!piece.empty()) {
            if (pending_space && !out.empty()) {
                out += ' ';
            }
            pending_space = false;
            out += piece;
        }
        i = next;
    }
}

}  // namespace

std::string sanitize_server_text(std::string_view text, std::size_t max_chars) {
    std::string out;
    if (max_chars == 0) {
        return out;
    }
    std::size_t count = 0;     // code points in `out`
    std::size_t keep_end = 0;  // byte length of the first max_chars - 1 code points
    // Appends code point by code point until the cap is exceeded.
    const auto append = [&](std::string_view piece) {
        for (std::size_t k = 0; k < piece.size(); ++k) {
            if ((byte_at(piece, k) & 0xC0U) != 0x80U) {
                if (count + 1 == max_chars) {
                    keep_end = out.size();
                }
                if (++count > max_chars) {
                    return;
                }
            }
            out += piece[k];
        }
    };
    std::string line;
    std::size_t start = 0;
    while (start <= text.size() && count <= max_chars) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        clean_line(text.substr(start, end - start), line);
        start = end + 1;

        // Enhanced status codes at the start of the line ("5.1.1 5.1.1 text" loses both, so
        // that sanitizing twice gives the same result).
        std::string_view rest = line;
        while (const auto m = parse_enhanced_status(rest)) {
            if (m->length == 0) {
                break;
            }
            rest.remove_prefix(m->length);
        }
        if (rest.empty()) {
            continue;
        }
        if (!out.empty()) {
            append(" ");
        }
        append(rest);
    }
    if (count > max_chars) {
        out.resize(keep_end);
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        out += ellipsis;
    }
    return out;
}

}  // namespace smtperr
