// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

// What the fuzz targets share: an invariant check that aborts with a message (so libFuzzer
// and the regression replay both report it), a strict UTF-8 walk, the code points no text
// shown to a user may hold, and which help links each provider may give.

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
    // The rest of Unicode 15's Default_Ignorable_Code_Point (DerivedCoreProperties.txt).
    const bool ignorable = cp == 0x00ADU || cp == 0x034FU || cp == 0x115FU || cp == 0x1160U ||
                           cp == 0x17B4U || cp == 0x17B5U || (cp >= 0x180BU && cp <= 0x180FU) ||
                           (cp >= 0x2060U && cp <= 0x206FU) || cp == 0x3164U ||
                           (cp >= 0xFE00U && cp <= 0xFE0FU) || cp == 0xFFA0U ||
                           (cp >= 0xFFF0U && cp <= 0xFFF8U) || (cp >= 0x1BCA0U && cp <= 0x1BCA3U) ||
                           (cp >= 0x1D173U && cp <= 0x1D17AU) || (cp >= 0xE0080U && cp <= 0xE0FFFU);
    if (ignorable) {
        return "default-ignorable code point";
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

/// The domains each provider publishes its help pages on: a help link on any other host
/// could send the user to an attacker's page. Written down here independently of the rule
/// tables, as the expectation they are checked against.
struct provider_domains {
    std::string_view provider;
    std::string_view domains[6];
};
inline const provider_domains help_domains[] = {
    {"gmail", {"google.com"}},
    {"microsoft", {"microsoft.com", "aka.ms", "office.com", "outlook.com"}},
    {"yahoo", {"yahoo.com", "yahooinc.com", "aol.com"}},
    {"icloud", {"apple.com"}},
    {"gmx", {"gmx.net", "gmx.com", "gmx.de", "web.de", "ionos.de", "ionos.com"}},
    {"t-online", {"t-online.de", "telekom.de"}},
    {"zoho", {"zoho.com", "zoho.eu", "zoho.in"}},
    {"yandex", {"yandex.ru", "yandex.com"}},
    {"mailru", {"mail.ru"}},
    {"qq", {"qq.com"}},
    {"netease", {"163.com", "126.com", "netease.com"}},
    {"fastmail", {"fastmail.com", "fastmail.help"}},
};

inline bool iequals_ascii(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

/// Why `url` may not be shown as `provider`'s help link, or nullptr when it may: lower-case
/// http(s) (the link is handed on as written, and UIs and the saved outbox match it so);
/// an authority that is the host alone or with a port of digits (what stands before an '@'
/// is user info: a browser would go to the host after it); a host of letters, digits, '-'
/// and '.' on one of the provider's domains; printable ASCII without quotes or brackets.
inline const char* untrusted_help_url(std::string_view provider, std::string_view url) {
    const bool https = url.substr(0, 8) == "https://";
    if (!https && url.substr(0, 7) != "http://") {
        return "not lower-case http(s)";
    }
    for (const char c : url) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= ' ' || b >= 0x7F || c == '"' || c == '<' || c == '>') {
            return "not printable ASCII";
        }
    }
    const auto rest = url.substr(https ? 8 : 7);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    auto host = authority.substr(0, authority.find(':'));
    if (host.size() < authority.size() &&
        authority.substr(host.size() + 1).find_first_not_of("0123456789") !=
            std::string_view::npos) {
        return "user info or a port that is not a number";
    }
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);  // An absolute name ("yahooinc.com.") is the same host.
    }
    for (const char c : host) {
        const bool host_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!host_char) {
            return "host with other characters";
        }
    }
    for (const auto& p : help_domains) {
        if (p.provider != provider) {
            continue;
        }
        for (const auto dom : p.domains) {
            const bool on =
                !dom.empty() &&
                (iequals_ascii(host, dom) ||
                 (host.size() > dom.size() && host[host.size() - dom.size() - 1] == '.' &&
                  iequals_ascii(host.substr(host.size() - dom.size()), dom)));
            if (on) {
                return nullptr;
            }
        }
    }
    return "not on the provider's help domains";
}

}  // namespace smtperr_fuzz

#endif  // SMTPERR_TESTS_FUZZ_FUZZ_CHECK_HPP
