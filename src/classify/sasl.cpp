// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/errc.hpp>

#include <cstdint>

namespace smtperr {

namespace {

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

// A bounded recursive-descent reader for the flat JSON objects of RFC 7628 §3.2.2.
// Values that are not strings or numbers are skipped (with a depth limit).
class json_reader {
  public:
    explicit json_reader(std::string_view s) noexcept : s_(s) {}

    bool object(oauth_challenge& out) {
        ws();
        if (!eat('{'))
            return false;
        ws();
        if (eat('}'))
            return at_end();
        for (;;) {
            std::string key;
            ws();
            if (!string(key))
                return false;
            ws();
            if (!eat(':'))
                return false;
            ws();
            std::string* target = key == "status"    ? &out.status
                                  : key == "scope"   ? &out.scope
                                  : key == "schemes" ? &out.schemes
                                                     : nullptr;
            std::string scratch;
            if (target != nullptr) {
                target->clear();  // A repeated key's value replaces the earlier one.
            }
            if (!value(target ? *target : scratch, 0))
                return false;
            ws();
            if (eat(','))
                continue;
            if (eat('}'))
                return at_end();
            return false;
        }
    }

  private:
    bool at_end() noexcept {
        ws();
        return i_ == s_.size();
    }
    void ws() noexcept {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            ++i_;
        }
    }
    bool eat(char c) noexcept {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool literal(std::string_view word) noexcept {
        if (s_.substr(i_, word.size()) == word) {
            i_ += word.size();
            return true;
        }
        return false;
    }
    bool string(std::string& out) {
        if (!eat('"'))
            return false;
        while (i_ < s_.size()) {
            const char c = s_[i_++];
            if (c == '"')
                return true;
            if (static_cast<unsigned char>(c) < 0x20)
                return false;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (i_ >= s_.size())
                return false;
            const char e = s_[i_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.push_back(e);
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    if (s_.size() - i_ < 4)
                        return false;
                    unsigned cp = 0;
                    for (int k = 0; k < 4; ++k) {
                        const char h = s_[i_++];
                        cp <<= 4;
                        if (h >= '0' && h <= '9')
                            cp |= static_cast<unsigned>(h - '0');
                        else if (h >= 'a' && h <= 'f')
                            cp |= static_cast<unsigned>(h - 'a' + 10);
                        else if (h >= 'A' && h <= 'F')
                            cp |= static_cast<unsigned>(h - 'A' + 10);
                        else
                            return false;
                    }
                    // Only ASCII matters for the fields we read; others become '?'.
                    out.push_back(cp < 0x80 ? static_cast<char>(cp) : '?');
                    break;
                }
                default:
                    return false;
            }
        }
        return false;
    }
    // RFC 8259 §6: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    bool number(std::string& out) {
        const std::size_t start = i_;
        eat('-');
        if (!eat('0') && digits() == 0) {
            return false;
        }
        if (eat('.') && digits() == 0) {
            return false;
        }
        if (eat('e') || eat('E')) {
            if (!eat('+')) {
                eat('-');
            }
            if (digits() == 0) {
                return false;
            }
        }
        out.assign(s_.substr(start, i_ - start));
        return true;
    }
    std::size_t digits() noexcept {
        const std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            ++i_;
        }
        return i_ - start;
    }
    bool value(std::string& out, int depth) {
        if (depth > 16 || i_ >= s_.size())
            return false;
        const char c = s_[i_];
        if (c == '"')
            return string(out);
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(out);
        if (c == 't')
            return literal("true");
        if (c == 'f')
            return literal("false");
        if (c == 'n')
            return literal("null");
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            ++i_;
            ws();
            if (eat(close))
                return true;
            for (;;) {
                std::string scratch;
                ws();
                if (c == '{') {
                    if (!string(scratch))
                        return false;
                    ws();
                    if (!eat(':'))
                        return false;
                    ws();
                }
                if (!value(scratch, depth + 1))
                    return false;
                ws();
                if (eat(','))
                    continue;
                return eat(close);
            }
        }
        return false;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

bool oauth_challenge::token_invalid() const noexcept {
    return status == "400" || status == "401" || status == "403" || status == "invalid_token" ||
           status == "insufficient_scope" || status == "invalid_request";
}

result<std::string> base64_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t pad = 0;
    std::size_t chars = 0;
    for (char c : in) {
        if (c == '=') {
            ++pad;
            ++chars;
            continue;
        }
        const int v = b64_value(c);
        if (v < 0 || pad > 0) {
            return make_error_code(errc::sasl_invalid_base64);
        }
        ++chars;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xffu));
        }
    }
    if (chars % 4 != 0 || pad > 2) {
        return make_error_code(errc::sasl_invalid_base64);
    }
    return out;
}

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                       (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 2]));
        out.push_back(b64_alphabet[(n >> 18) & 63]);
        out.push_back(b64_alphabet[(n >> 12) & 63]);
        out.push_back(b64_alphabet[(n >> 6) & 63]);
        out.push_back(b64_alphabet[n & 63]);
    }
    if (i < in.size()) {
        auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) {
            n |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        }
        out.push_back(b64_alphabet[(n >> 18) & 63]);
        out.push_back(b64_alphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? b64_alphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

result<oauth_challenge> decode_oauth_challenge(std::string_view challenge) {
    // Blanks around the payload (a second space after the code, a trailing tab or CR) are
    // the server's sloppiness, not a broken payload.
    const auto first = challenge.find_first_not_of(" \t\r");
    challenge = first == std::string_view::npos
                    ? std::string_view{}
                    : challenge.substr(first, challenge.find_last_not_of(" \t\r") - first + 1);
    auto raw = base64_decode(challenge);
    if (!raw) {
        return raw.error();
    }
    oauth_challenge out;
    json_reader reader(raw.value());
    if (!reader.object(out)) {
        return make_error_code(errc::sasl_invalid_json);
    }
    return out;
}

}  // namespace smtperr
