// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Rendering of catalog texts: entry lookup, placeholder filling, size formatting, languages.

#include <smtperr/messages/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/catalog.hpp"

namespace smtperr {

namespace {

/// The longest value a placeholder takes, in code points (an address has at most 254 octets).
constexpr std::size_t placeholder_value_limit = 254;

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool ascii_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

std::size_t count_code_points(std::string_view s) noexcept {
    std::size_t n = 0;
    for (const char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
            ++n;
        }
    }
    return n;
}

/// `whole.t` of `v / unit`, rounded to one decimal below 100 and to an integer above.
std::string format_scaled(std::uint64_t v, std::uint64_t unit, char decimal_separator) {
    std::uint64_t whole = v / unit;
    const std::uint64_t rem = v % unit;  // < unit <= 2^30, so the arithmetic below cannot overflow
    if (whole >= 100) {
        if (rem * 2 >= unit) {
            ++whole;
        }
        return std::to_string(whole);
    }
    std::uint64_t tenths = (rem * 10 + unit / 2) / unit;
    if (tenths == 10) {
        ++whole;
        tenths = 0;
    }
    std::string s = std::to_string(whole);
    if (tenths != 0) {
        s += decimal_separator;
        s += static_cast<char>('0' + tenths);
    }
    return s;
}

/** A size for people: "25 MB", "1,5 MB" (German decimal comma), "512 bytes".

    Servers state limits either in binary (26214400 = 25 MiB) or in decimal units (20000000 =
    20 MB); a value that is a round decimal number is shown in decimal units, anything else
    in binary ones, so both read as the round number their operator had in mind.
*/
std::string format_size(std::uint64_t v, language lang) {
    struct unit {
        std::uint64_t decimal;
        std::uint64_t binary;
        std::string_view name;
    };
    static constexpr unit units[] = {
        {1000000000U, 1U << 30U, "GB"},
        {1000000U, 1U << 20U, "MB"},
        {1000U, 1U << 10U, "KB"},
    };
    const char sep = lang == language::de ? ',' : '.';
    for (const auto& u : units) {
        std::uint64_t base = 0;
        if (v >= u.decimal && v % (u.decimal / 10) == 0) {
            base = u.decimal;
        } else if (v >= u.binary) {
            base = u.binary;
        }
        if (base != 0) {
            std::string s = format_scaled(v, base, sep);
            s += ' ';
            s += u.name;
            return s;
        }
    }
    std::string s = std::to_string(v);
    s += lang == language::de ? " Byte" : (v == 1 ? " byte" : " bytes");
    return s;
}

/// The facts a template may mention, already made safe to show.
struct facts {
    std::string recipient;
    std::string limit;
    std::string forward;

    const std::string* find(std::string_view name) const noexcept {
        if (name == "recipient") {
            return &recipient;
        }
        if (name == "limit") {
            return &limit;
        }
        if (name == "forward") {
            return &forward;
        }
        return nullptr;
    }
};

/** Fills the placeholders of `tmpl` into `out`. False when a placeholder's fact is unknown
    (or the placeholder is not one we know). Values are inserted as they are, never expanded
    again. */
bool fill(std::string_view tmpl, const facts& f, std::string& out) {
    out.clear();
    std::size_t i = 0;
    while (i < tmpl.size()) {
        const std::size_t open = tmpl.find('{', i);
        if (open == std::string_view::npos) {
            break;
        }
        const std::size_t close = tmpl.find('}', open);
        if (close == std::string_view::npos) {
            return false;
        }
        const std::string* value = f.find(tmpl.substr(open + 1, close - open - 1));
        if (value == nullptr || value->empty()) {
            return false;
        }
        out.append(tmpl, i, open - i);
        out += *value;
        i = close + 1;
    }
    out.append(tmpl, i);
    return true;
}

/// The first variant whose facts are known and whose filled length is at most `limit`.
template <std::size_t N>
std::string choose(const std::array<std::string_view, N>& variants, const facts& f,
                   std::size_t limit) {
    std::string out;
    for (const auto v : variants) {
        if (!v.empty() && fill(v, f, out) && count_code_points(out) <= limit) {
            return out;
        }
    }
    return {};
}

/// Untrusted text for a placeholder: one sanitized line, and without angle brackets.
std::string placeholder_value(std::string_view raw) {
    std::string v = sanitize_server_text(raw, placeholder_value_limit);
    if (v.size() >= 2 && v.front() == '<' && v.back() == '>') {
        v = v.substr(1, v.size() - 2);
    }
    return v;
}

}  // namespace

language resolve_language(std::string_view locale) noexcept {
    // The language is the leading run of letters: "de", "de_DE.UTF-8", "de-AT", "de:en"
    // (a LANGUAGE list) and Windows' "German_Germany.1252" all start with it.
    std::size_t n = 0;
    while (n < locale.size() && ascii_alpha(locale[n])) {
        ++n;
    }
    const std::string_view code = locale.substr(0, n);
    if (iequals(code, "de") || iequals(code, "deu") || iequals(code, "ger") ||
        iequals(code, "german")) {
        return language::de;
    }
    return language::en;
}

std::string_view to_string(language l) noexcept {
    switch (l) {
        case language::en:
            return "en";
        case language::de:
            return "de";
    }
    return {};
}

message_text render_message(const diagnosis& d, language lang, const message_args& args) {
    const detail::catalog_entry* e = detail::find_catalog_entry(d.message_id);
    if (e == nullptr) {
        e = detail::find_catalog_entry(to_string(d.condition));
    }
    if (e == nullptr) {  // a condition value out of range
        e = detail::find_catalog_entry(d.transient ? "transient_failure" : "permanent_failure");
    }
    if (static_cast<std::size_t>(lang) >= detail::language_count) {
        lang = language::en;
    }

    facts f;
    if (!args.recipient.empty()) {
        f.recipient = placeholder_value(args.recipient);
    }
    if (args.size_limit && *args.size_limit != 0) {  // SIZE 0 means "no fixed limit"
        f.limit = format_size(*args.size_limit, lang);
    }
    const std::string_view forward = args.forward_path.empty() ? d.forward_path : args.forward_path;
    if (!forward.empty()) {
        f.forward = placeholder_value(forward);
    }

    message_text t;
    if (e != nullptr) {
        const auto& text = e->text[static_cast<std::size_t>(lang)];
        t.list_line = choose(text.lines, f, detail::list_line_limit);
        t.detail = choose(text.details, f, std::string::npos);
    }
    t.action_label = action_label(d.action, lang);
    return t;
}

std::string_view action_label(action a, language lang) noexcept {
    return detail::action_text(a, lang);
}

}  // namespace smtperr
