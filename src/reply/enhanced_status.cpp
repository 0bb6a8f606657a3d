// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/reply/enhanced_status.hpp>

#include <algorithm>

#include "reply/status_registry.hpp"

namespace smtperr {

namespace {

// Reads 1–3 digits without a leading zero (RFC 3463 §2: "0" alone is fine).
bool read_number(std::string_view s, std::size_t& pos, std::uint16_t& out) noexcept {
    const std::size_t start = pos;
    unsigned v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 4) {
        v = v * 10 + static_cast<unsigned>(s[pos] - '0');
        ++pos;
    }
    const std::size_t n = pos - start;
    if (n == 0 || n > 3 || (n > 1 && s[start] == '0')) {
        return false;
    }
    out = static_cast<std::uint16_t>(v);
    return true;
}

constexpr std::string_view subject_meanings[] = {
    "Other or Undefined Status",
    "Addressing Status",
    "Mailbox Status",
    "Mail System Status",
    "Network and Routing Status",
    "Mail Delivery Protocol Status",
    "Message Content or Media Status",
    "Security or Policy Status",
};

}  // namespace

std::optional<enhanced_status> enhanced_status::from_value(int v) noexcept {
    if (v < 0) {
        return std::nullopt;
    }
    const int cls = v / 1000000;
    if (cls != 2 && cls != 4 && cls != 5) {
        return std::nullopt;
    }
    return enhanced_status{static_cast<std::uint8_t>(cls),
                           static_cast<std::uint16_t>((v / 1000) % 1000),
                           static_cast<std::uint16_t>(v % 1000)};
}

std::string enhanced_status::to_string() const {
    return std::to_string(cls) + '.' + std::to_string(subject) + '.' + std::to_string(detail);
}

std::optional<enhanced_status_match> parse_enhanced_status(std::string_view text) noexcept {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return std::nullopt;
    }
    enhanced_status s;
    s.cls = static_cast<std::uint8_t>(text[0] - '0');
    std::size_t pos = 2;
    if (!read_number(text, pos, s.subject) || pos >= text.size() || text[pos] != '.') {
        return std::nullopt;
    }
    ++pos;
    if (!read_number(text, pos, s.detail)) {
        return std::nullopt;
    }
    if (pos < text.size() && text[pos] != ' ' && text[pos] != '\t') {
        return std::nullopt;
    }
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) {
        ++pos;
    }
    return enhanced_status_match{s, pos};
}

const status_registry_entry* find_status_registry_entry(enhanced_status s) noexcept {
    const auto* first = detail::status_registry;
    const auto* last = first + detail::status_registry_size;
    const auto* it =
        std::lower_bound(first, last, s, [](const status_registry_entry& e, enhanced_status k) {
            return e.subject != k.subject ? e.subject < k.subject : e.detail < k.detail;
        });
    if (it != last && it->subject == s.subject && it->detail == s.detail) {
        return it;
    }
    return nullptr;
}

std::string_view status_subject_meaning(std::uint16_t subject) noexcept {
    return subject < std::size(subject_meanings) ? subject_meanings[subject] : std::string_view{};
}

std::string_view status_class_meaning(std::uint8_t cls) noexcept {
    switch (cls) {
        case 2:
            return "Success";
        case 4:
            return "Persistent Transient Failure";
        case 5:
            return "Permanent Failure";
        default:
            return {};
    }
}

std::string_view status_meaning(enhanced_status s) noexcept {
    if (const auto* e = find_status_registry_entry(s)) {
        return e->sample_text;
    }
    if (auto m = status_subject_meaning(s.subject); !m.empty()) {
        return m;
    }
    return status_class_meaning(s.cls);
}

}  // namespace smtperr
