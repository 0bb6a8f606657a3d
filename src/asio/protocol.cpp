// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/asio/detail/protocol.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/messages/messages.hpp>

#include <spdlog/logger.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>

#include "text/address.hpp"

namespace smtperr::asio::detail {

namespace {

/// Every mechanism the transport can run.
constexpr sasl_mechanism implemented[] = {sasl_mechanism::plain, sasl_mechanism::login,
                                          sasl_mechanism::xoauth2, sasl_mechanism::oauthbearer};

char upper(char c) noexcept {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_upper(std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(), upper);
    return r;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return upper(x) == upper(y); });
}

// Splits on spaces and tabs, skipping empty words.
std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        const std::size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
            ++i;
        }
        if (i > b) {
            out.push_back(s.substr(b, i - b));
        }
    }
    return out;
}

bool has_any(std::string_view s, std::string_view chars) noexcept {
    return s.find_first_of(chars) != std::string_view::npos;
}

constexpr std::string_view crlf_nul("\r\n\0", 3);

bool non_ascii(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// RFC 5321 §4.5.3.1.1: a local part of at most 64 octets; RFC 1035 §2.3.4: a label of at
// most 63. A non-ASCII label is bounded as the A-label it becomes (ascii_domain()), or goes
// as it is to a server with SMTPUTF8, where its UTF-8 may be longer than its A-label. The
// 255-octet domain (§4.5.3.1.2) is within valid_address()'s 254 octets.
bool within_length_limits(std::string_view address) noexcept {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) {
        return address.size() <= 64;  // "Postmaster" has no domain (§4.1.1.3).
    }
    if (at > 64) {
        return false;
    }
    for (auto domain = address.substr(at + 1);;) {
        const auto dot = domain.find('.');
        const auto label = domain.substr(0, dot);
        if (label.size() > 63 && !non_ascii(label)) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        domain.remove_prefix(dot + 1);
    }
}

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool valid_fingerprint(std::string_view f) noexcept {
    std::size_t digits = 0;
    for (const char c : f) {
        if (is_hex(c)) {
            ++digits;
        } else if (c != ':') {
            return false;
        }
    }
    return digits == 64;
}

bool fits_password(sasl_mechanism m) noexcept {
    return m == sasl_mechanism::plain || m == sasl_mechanism::login;
}

// RFC 7628 §3.1 / RFC 5801 §5.1: ',' and '=' in the authzid are written =2C and =3D.
std::string gs2_escape(std::string_view s) {
    std::string r;
    for (const char c : s) {
        if (c == ',') {
            r += "=2C";
        } else if (c == '=') {
            r += "=3D";
        } else {
            r += c;
        }
    }
    return r;
}

std::string url_encode(std::string_view s, bool lower_hex = false) {
    const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
    std::string r;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            r += ch;
        } else {
            r += '%';
            r += hex[c >> 4];
            r += hex[c & 15];
        }
    }
    return r;
}

}  // namespace

//------------------------------------------------------------------------------

bool capabilities::offers(std::string_view mechanism) const noexcept {
    return std::any_of(auth.begin(), auth.end(),
                       [&](const std::string& m) { return iequals(m, mechanism); });
}

std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept {
    if (digits.empty() || digits.size() > 20) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) {
            return std::nullopt;
        }
        v = v * 10 + d;
    }
    return v;
}

capabilities parse_ehlo(const reply_view& r) {
    capabilities caps;
    caps.esmtp = r.code == 250;
    // Line 0 is the server's domain and greeting; each further line is one extension.
    for (std::size_t i = 1; i < r.line_count; ++i) {
        const auto w = words(r.line(i));
        if (w.empty()) {
            continue;
        }
        std::string_view kw = w[0];
        std::vector<std::string_view> params(w.begin() + 1, w.end());
        // Old servers write "AUTH=PLAIN LOGIN".
        if (kw.size() > 5 && iequals(kw.substr(0, 5), "AUTH=")) {
            params.insert(params.begin(), kw.substr(5));
            kw = kw.substr(0, 4);
        }
        if (iequals(kw, "STARTTLS")) {
            caps.starttls = true;
        } else if (iequals(kw, "PIPELINING")) {
            caps.pipelining = true;
        } else if (iequals(kw, "8BITMIME")) {
            caps.eightbitmime = true;
        } else if (iequals(kw, "SMTPUTF8")) {
            caps.smtputf8 = true;
        } else if (iequals(kw, "ENHANCEDSTATUSCODES")) {
            caps.enhanced_status_codes = true;
        } else if (iequals(kw, "SIZE")) {
            caps.size = true;
            // A limit we cannot read (garbage, overflow) counts as none announced.
            const auto n = params.empty() ? std::nullopt : parse_decimal(params[0]);
            caps.size_limit = n ? *n : 0;
        } else if (iequals(kw, "AUTH")) {
            // Unknown names are kept only up to a bound; the ones the transport implements
            // always, however long the list before them (hostile-servers B-06).
            for (const auto p : params) {
                const bool known =
                    std::any_of(std::begin(implemented), std::end(implemented),
                                [p](sasl_mechanism m) { return iequals(p, mechanism_name(m)); });
                if (p.size() <= 40 && !caps.offers(p) && (known || caps.auth.size() < 32)) {
                    caps.auth.push_back(to_upper(p));
                }
            }
        }
    }
    return caps;
}

std::string encode_body(std::string_view body) {
    std::string out;
    out.reserve(body.size() + body.size() / 32 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
                ++i;  // CRLF is one line end.
            }
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') {
            out += '.';
        }
        out += c;
        line_start = false;
    }
    if (!line_start) {
        out += "\r\n";
    }
    out += ".\r\n";
    return out;
}

std::uint64_t declared_size(std::string_view wire) noexcept {
    if (wire.size() < 3) {
        return 0;  // Not made by encode_body(), which always ends with ".\r\n".
    }
    const std::string_view data = wire.substr(0, wire.size() - 3);
    // encode_body() doubled the dot of every line that started with one.
    std::uint64_t stuffed = 0;
    for (std::size_t at = 0; at < data.size();) {
        if (data[at] == '.') {
            ++stuffed;
        }
        const std::size_t end = data.find("\r\n", at);
        if (end == std::string_view::npos) {
            break;
        }
        at = end + 2;
    }
    return data.size() - stuffed;
}

std::string address_literal(std::string_view address, bool v6) {
    if (!v6) {
        return "[" + std::string(address) + "]";
    }
    return "[IPv6:" + std::string(address.substr(0, address.find('%'))) + "]";
}

std::error_code validate(const submit_options& o, const message& m) {
    if (m.recipients.empty()) {
        return errc::no_recipients;
    }
    if (!smtperr::detail::valid_address(m.from) || !within_length_limits(m.from)) {
        return errc::invalid_address;
    }
    for (const auto& r : m.recipients) {
        if (r.empty() || !smtperr::detail::valid_address(r) || !within_length_limits(r)) {
            return errc::invalid_address;
        }
    }
    if (o.host.empty() || o.host.size() > 253 || has_any(o.host, crlf_nul) ||
        has_any(o.host, " \t/")) {
        return errc::invalid_option;
    }
    if (o.port == 0 || o.client_name.size() > 255 || has_any(o.client_name, crlf_nul) ||
        has_any(o.client_name, " \t")) {
        return errc::invalid_option;
    }
    // A pin asks for this certificate only: without TLS it would be ignored, and the mail
    // would go out in the clear though the caller asked for a pinned connection.
    if (!o.pinned_sha256.empty() &&
        (!valid_fingerprint(o.pinned_sha256) || o.tls == tls_mode::none)) {
        return errc::invalid_option;
    }
    if (o.ca_file.find('\0') != std::string::npos) {
        return errc::invalid_option;
    }
    if (o.credentials) {
        const auto& c = *o.credentials;
        // Exactly one secret; none of the separators the mechanisms use inside it.
        if (c.password.empty() == c.oauth_token.empty() || c.user.empty() ||
            has_any(c.user, std::string_view("\r\n\0\x01", 4)) ||
            c.password.find('\0') != std::string::npos ||
            has_any(c.oauth_token, std::string_view("\r\n\0\x01 ", 5))) {
            return errc::invalid_option;
        }
    }
    return {};
}

std::string_view mechanism_name(sasl_mechanism m) noexcept {
    switch (m) {
        case sasl_mechanism::plain:
            return "PLAIN";
        case sasl_mechanism::login:
            return "LOGIN";
        case sasl_mechanism::xoauth2:
            return "XOAUTH2";
        case sasl_mechanism::oauthbearer:
            return "OAUTHBEARER";
    }
    return "";
}

std::optional<sasl_mechanism> choose_mechanism(const submit_options& o, const capabilities& caps) {
    if (!o.credentials) {
        return std::nullopt;
    }
    const bool password = !o.credentials->password.empty();
    for (const auto m : o.mechanisms) {
        if (fits_password(m) == password && caps.offers(mechanism_name(m))) {
            return m;
        }
    }
    return std::nullopt;
}

std::string sasl_response(sasl_mechanism m, const credentials& c) {
    switch (m) {
        case sasl_mechanism::plain: {
            std::string s;
            s += '\0';
            s += c.user;
            s += '\0';
            s += c.password;
            return s;
        }
        case sasl_mechanism::login:
            return c.user;  // The first answer; the password is the second.
        case sasl_mechanism::xoauth2:
            return "user=" + c.user + "\x01" + "auth=Bearer " + c.oauth_token + "\x01\x01";
        case sasl_mechanism::oauthbearer:
            return "n,a=" + gs2_escape(c.user) + ",\x01" + "auth=Bearer " + c.oauth_token +
                   "\x01\x01";
    }
    return {};
}

bool challenge_decodes(std::string_view text) {
    // The blanks decode_oauth_challenge() ignores too.
    const auto first = text.find_first_not_of(" \t\r");
    return first == std::string_view::npos ||
           base64_decode(text.substr(first, text.find_last_not_of(" \t\r") - first + 1))
               .has_value();
}

bool needs_smtputf8(const message& m) noexcept {
    return non_ascii(m.from) || std::any_of(m.recipients.begin(), m.recipients.end(),
                                            [](const std::string& r) { return non_ascii(r); });
}

std::optional<std::string> punycode_encode(std::u32string_view code_points) {
    // RFC 3492 §5 parameters and §6.1 bias adaptation.
    constexpr std::uint32_t base = 36;
    constexpr std::uint32_t tmin = 1;
    constexpr std::uint32_t tmax = 26;
    constexpr std::uint32_t skew = 38;
    constexpr std::uint32_t damp = 700;
    constexpr std::uint32_t max = std::numeric_limits<std::uint32_t>::max();
    const auto adapt = [](std::uint32_t delta, std::uint32_t points, bool first) {
        delta = first ? delta / damp : delta / 2;
        delta += delta / points;
        std::uint32_t k = 0;
        while (delta > ((base - tmin) * tmax) / 2) {
            delta /= base - tmin;
            k += base;
        }
        return k + (base - tmin + 1) * delta / (delta + skew);
    };
    const auto digit = [](std::uint32_t d) {
        return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
    };
    std::string out;
    for (const char32_t c : code_points) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        }
    }
    const auto basic = static_cast<std::uint32_t>(out.size());
    if (basic > 0) {
        out += '-';
    }
    std::uint32_t n = 0x80;
    std::uint32_t delta = 0;
    std::uint32_t bias = 72;
    // §6.3: each pass inserts every occurrence of the next smallest code point.
    for (std::uint32_t h = basic; h < code_points.size();) {
        std::uint32_t m = max;
        for (const char32_t c : code_points) {
            if (c >= n && c < m) {
                m = c;
            }
        }
        if (m - n > (max - delta) / (h + 1)) {
            return std::nullopt;
        }
        delta += (m - n) * (h + 1);
        n = m;
        for (const char32_t c : code_points) {
            if (c < n && ++delta == 0) {
                return std::nullopt;
            }
            if (c != n) {
                continue;
            }
            std::uint32_t q = delta;
            for (std::uint32_t k = base;; k += base) {
                const std::uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
                if (q < t) {
                    break;
                }
                out += digit(t + (q - t) % (base - t));
                q = (q - t) / (base - t);
            }
            out += digit(q);
            bias = adapt(delta, h + 1, h == basic);
            delta = 0;
            ++h;
        }
        ++delta;
        ++n;
    }
    return out;
}

namespace {

// One non-ASCII label as lower-case code points, or empty when it has a character outside
// ASCII letters, digits, hyphen and the Latin-1 letters.
std::optional<std::u32string> latin1_label(std::string_view label) {
    std::u32string cps;
    for (std::size_t i = 0; i < label.size(); ++i) {
        const auto c = static_cast<unsigned char>(label[i]);
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') {
                cps += static_cast<char32_t>(c - 'A' + 'a');
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                cps += static_cast<char32_t>(c);
            } else {
                return std::nullopt;
            }
            continue;
        }
        // U+00C0..U+00FF is 0xC3 0x80..0xBF in UTF-8.
        if (c != 0xC3 || i + 1 == label.size()) {
            return std::nullopt;
        }
        const auto c2 = static_cast<unsigned char>(label[++i]);
        if (c2 < 0x80 || c2 > 0xBF) {
            return std::nullopt;
        }
        auto cp = static_cast<char32_t>(0xC0 + (c2 - 0x80));
        if (cp == 0xD7 || cp == 0xF7) {
            return std::nullopt;  // × and ÷ are not letters (IDNA2008: DISALLOWED).
        }
        if (cp < 0xDF) {
            cp += 0x20;  // À..Þ to à..þ; ß stays (IDNA2008 keeps it, RFC 5892).
        }
        cps += cp;
    }
    return cps;
}

}  // namespace

std::optional<std::string> ascii_domain(std::string_view domain) {
    std::string out;
    while (true) {
        const auto dot = domain.find('.');
        const auto label = domain.substr(0, dot);
        if (label.empty()) {
            return std::nullopt;
        }
        if (!non_ascii(label)) {
            out += label;
        } else {
            // Each code point gives at least one octet of Punycode after "xn--": more than
            // 59 cannot fit a label (and are not worth encoding).
            const auto cps = latin1_label(label);
            if (!cps || cps->size() > 59 || cps->front() == U'-' || cps->back() == U'-' ||
                (cps->size() >= 4 && (*cps)[2] == U'-' && (*cps)[3] == U'-')) {
                return std::nullopt;
            }
            const auto encoded = punycode_encode(*cps);
            if (!encoded || encoded->size() + 4 > 63) {
                return std::nullopt;
            }
            out += "xn--" + *encoded;
        }
        if (dot == std::string_view::npos) {
            return out;
        }
        out += '.';
        domain.remove_prefix(dot + 1);
    }
}

std::optional<std::string> envelope_address(std::string_view address, const capabilities& caps) {
    if (caps.smtputf8 || !non_ascii(address)) {
        return std::string(address);
    }
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || non_ascii(address.substr(0, at))) {
        return std::nullopt;
    }
    auto domain = ascii_domain(address.substr(at + 1));
    // The path is at most 256 octets with its brackets (RFC 5321 §4.5.3.1.3), and A-labels
    // can be nearly three times as long as their UTF-8 ("ü" is "xn--tda").
    if (!domain || at + 1 + domain->size() > 254) {
        return std::nullopt;
    }
    return std::string(address.substr(0, at + 1)) + *domain;
}

bool envelope_sendable(const message& m, const capabilities& caps) {
    return envelope_address(m.from, caps) &&
           std::any_of(m.recipients.begin(), m.recipients.end(),
                       [&](const std::string& r) { return envelope_address(r, caps).has_value(); });
}

std::string mail_command(const message& m, const capabilities& caps, std::uint64_t size) {
    std::string cmd = "MAIL FROM:<" + envelope_address(m.from, caps).value_or(m.from) + ">";
    if (caps.size) {
        cmd += " SIZE=" + std::to_string(size);
    }
    if (caps.eightbitmime && non_ascii(m.body)) {
        cmd += " BODY=8BITMIME";
    }
    if (caps.smtputf8 && needs_smtputf8(m)) {
        cmd += " SMTPUTF8";
    }
    return cmd;
}

namespace {

// The URL-safe base64 alphabet (RFC 4648 §5) differs only in '+' and '/'.
std::string url_safe(std::string b64) {
    std::replace(b64.begin(), b64.end(), '+', '-');
    std::replace(b64.begin(), b64.end(), '/', '_');
    return b64;
}

}  // namespace

std::vector<std::string> secret_forms(std::string_view secret) {
    std::vector<std::string> forms;
    if (secret.empty()) {
        return forms;
    }
    forms.emplace_back(secret);
    for (const bool lower : {false, true}) {
        if (auto u = url_encode(secret, lower); u != secret) {
            forms.push_back(std::move(u));
        }
    }
    // With k bytes before it, the secret's base64 starts inside group 0; keep only the
    // whole groups of four made of the secret's bytes alone (any such group in a text
    // decodes to part of the secret, whatever stands beside it), so drop group 0 when
    // k > 0 and the final group, which depends on the bytes after it.
    for (std::size_t k = 0; k < 3; ++k) {
        const std::string padded = std::string(k, '\0') + std::string(secret);
        const std::string b64 = base64_encode(padded);
        const std::size_t head = (k + 2) / 3 * 4;        // 0, 4, 4
        const std::size_t full = padded.size() / 3 * 4;  // complete groups only
        if (full > head) {
            std::string f = b64.substr(head, full - head);
            forms.push_back(url_safe(f));
            forms.push_back(std::move(f));
        }
    }
    std::sort(forms.begin(), forms.end());
    forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
    return forms;
}

//------------------------------------------------------------------------------

transcript::transcript(std::shared_ptr<spdlog::logger> logger, const std::optional<credentials>& c)
    : logger_(std::move(logger)) {
    if (c) {
        // Every form, however short: a one-octet password is masked too. A URL encoding is
        // masked in any letter case ("%2f" as well as "%2F": both decode the same).
        auto add = [this](std::string_view secret) {
            for (auto& f : secret_forms(secret)) {
                if (f.find('%') != std::string::npos) {
                    escaped_.push_back(to_upper(f));
                } else {
                    secrets_.push_back(std::move(f));
                }
            }
        };
        add(c->password);
        add(c->oauth_token);
        // A server may echo what AUTH sent (hostile-servers M-03). The base64 groups that mix
        // the secret with the user name or the blob's end are in no form of the secret alone,
        // so the blobs are masked whole as well.
        std::vector<std::string> blobs;
        if (!c->password.empty()) {
            blobs = {c->password, sasl_response(sasl_mechanism::plain, *c)};
        } else if (!c->oauth_token.empty()) {
            blobs = {sasl_response(sasl_mechanism::xoauth2, *c),
                     sasl_response(sasl_mechanism::oauthbearer, *c)};
        }
        for (const auto& b : blobs) {
            std::string sent = base64_encode(b);
            secrets_.push_back(url_safe(sent));
            secrets_.push_back(std::move(sent));
            add(b);
        }
        // Also as text is shown ("pass\tword" as "pass word"), for redact()'s look at it.
        for (std::size_t i = 0, n = secrets_.size(); i < n; ++i) {
            std::string shown = sanitize_server_text(secrets_[i], secrets_[i].size());
            if (!shown.empty() && shown != secrets_[i]) {
                secrets_.push_back(std::move(shown));
            }
        }
        for (auto* v : {&secrets_, &escaped_}) {
            std::sort(v->begin(), v->end());
            v->erase(std::unique(v->begin(), v->end()), v->end());
        }
    }
}

std::string transcript::mask_forms(std::string_view text) const {
    // Every octet inside some form is marked first, in the text as received, and each run
    // of marked octets becomes one marker: forms that overlap are masked whole, and a short
    // form cannot match inside a marker put in for another.
    std::vector<bool> hit(text.size());
    const auto mark = [&hit](std::string_view in, const std::string& f) {
        std::size_t done = 0;
        for (auto p = in.find(f); p != std::string_view::npos; p = in.find(f, p + 1)) {
            for (std::size_t i = std::max(p, done); i < p + f.size(); ++i) {
                hit[i] = true;
            }
            done = p + f.size();
        }
    };
    for (const auto& f : secrets_) {
        mark(text, f);
    }
    if (!escaped_.empty()) {
        const std::string upper_text = to_upper(text);
        for (const auto& f : escaped_) {
            mark(upper_text, f);
        }
    }
    std::string s;
    s.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (!hit[i]) {
            s += text[i++];
            continue;
        }
        s += "<redacted>";
        while (i < text.size() && hit[i]) {
            ++i;
        }
    }
    return s;
}

std::string transcript::redact(std::string_view text) const {
    if (secrets_.empty() && escaped_.empty()) {
        return std::string(text);
    }
    // Server text is shown sanitized, and the sanitizer drops controls, escape sequences and
    // invisible characters and joins the lines: a form a hostile server split with them
    // ("hun\x01ter2") comes together there. The text as received, masked, is kept only when
    // it shows exactly as the shown text masked; else that is given. The shown text is
    // masked from the text as received, not from a masked copy: a marker in the middle of
    // an AUTH blob would keep the blob's whole form from matching and leave its edges, which
    // hold octets of the secret, readable.
    std::string masked = mask_forms(text);
    const std::string shown = sanitize_server_text(text, text.size());
    std::string shown_masked = mask_forms(shown);
    return sanitize_server_text(masked, masked.size()) == shown_masked ? masked : shown_masked;
}

smtperr::reply transcript::redact(smtperr::reply r) const {
    r.text = redact(std::string_view(r.text));
    // Masked as shown, the lines are joined into one.
    r.line_count = static_cast<std::size_t>(std::count(r.text.begin(), r.text.end(), '\n')) + 1;
    return r;
}

std::string transcript::escape(std::string_view text) {
    // Escape control octets so the log cannot be rewritten by a server (ANSI, CR), and every
    // octet from 0x80 on: 8-bit and C1 controls (CSI as 0x9B), bidi overrides and invalid
    // UTF-8 are all there; a debug log can afford "\xc3\xa4" for a letter. A backslash is
    // escaped too, so that a server's literal "\x01" cannot pass for an escaped octet.
    std::string r;
    r.reserve(text.size());
    static constexpr char hex[] = "0123456789abcdef";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            r += "\\x";
            r += hex[c >> 4];
            r += hex[c & 15];
        } else {
            r += ch;
        }
    }
    return r;
}

std::string transcript::mask(std::string_view text) const {
    return escape(redact(text));
}

void transcript::client(std::string_view line, bool sensitive) const {
    if (!logger_) {
        return;
    }
    if (!sensitive) {
        logger_->debug("C: {}", mask(line));
        return;
    }
    // "AUTH MECH [ir]": keep the verb and the mechanism only.
    if (line.size() > 5 && iequals(line.substr(0, 5), "AUTH ")) {
        const auto w = words(line.substr(5));
        if (!w.empty()) {
            logger_->debug("C: AUTH {}{}", mask(w[0]), w.size() > 1 ? " <redacted>" : "");
            return;
        }
    }
    logger_->debug("C: <redacted>");
}

void transcript::server(const reply_view& r) const {
    if (!logger_) {
        return;
    }
    // Masked as a whole, as the report is: a secret the server split over two lines (a
    // passphrase's two words) is one form there.
    const smtperr::reply masked = redact(smtperr::reply(r));
    const reply_view v = masked.view();
    for (std::size_t i = 0; i < v.line_count; ++i) {
        logger_->debug("S: {}{}{}", v.code, i + 1 < v.line_count ? '-' : ' ', escape(v.line(i)));
    }
}

void transcript::note(std::string_view text) const {
    if (logger_) {
        logger_->debug("{}", mask(text));
    }
}

}  // namespace smtperr::asio::detail
