// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The test oracle for "no secret in any form": every form in which a password or token
// could leak into a transcript, a log or an event, built without the library's own
// encoders (a test that asked the library which forms to look for would miss what the
// library misses).
#ifndef SMTPERR_TESTS_SUPPORT_LEAK_FORMS_HPP
#define SMTPERR_TESTS_SUPPORT_LEAK_FORMS_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr::test {

/// Base64 (standard, or URL-safe with `url`) of the complete three-octet groups of `in`:
/// the tail depends on what follows it, so it is left out.
inline std::string b64_groups(std::string_view in, bool url) {
    const char* abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i + 2 < in.size(); i += 3) {
        const auto v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i]) << 16 |
                                                  static_cast<unsigned char>(in[i + 1]) << 8 |
                                                  static_cast<unsigned char>(in[i + 2]));
        for (int s = 18; s >= 0; s -= 6) {
            out += abc[(v >> s) & 63];
        }
    }
    return out;
}

/** Every form a secret could leak in: plain, URL-encoded (both hex cases), and its base64
    (standard and URL-safe) at each of the three octet alignments, keeping only the
    characters that depend on the secret alone. Whatever precedes the secret in a SASL blob
    ("\0user\0", "auth=Bearer "), one of the alignments matches it. */
inline std::vector<std::string> leak_forms(std::string_view secret) {
    std::vector<std::string> f{std::string(secret)};
    std::string upper;
    std::string lower;
    for (const char ch : secret) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                c == '~';
        if (unreserved) {
            upper += ch;
            lower += ch;
        } else {
            static constexpr char hu[] = "0123456789ABCDEF";
            static constexpr char hl[] = "0123456789abcdef";
            upper += {'%', hu[c >> 4], hu[c & 15]};
            lower += {'%', hl[c >> 4], hl[c & 15]};
        }
    }
    f.push_back(upper);
    f.push_back(lower);
    for (std::size_t k = 0; k < 3; ++k) {
        for (const bool url : {false, true}) {
            const std::string enc = b64_groups(std::string(k, '\x01') + std::string(secret), url);
            const std::size_t head = (k * 4 + 2) / 3;  // Characters mixing prefix bits.
            if (enc.size() > head + 8) {
                f.push_back(enc.substr(head));
            }
        }
    }
    return f;
}

/** The base64 groups (four characters, standard and URL-safe) of a whole SASL blob that
    carry octets of the secret standing at [`begin`, `end`) in it: a server that echoes the
    blob shows these, and the ones mixing the secret with the user name or the blob's end
    are in no form leak_forms() gives. */
inline std::vector<std::string> blob_leak_forms(std::string_view blob, std::size_t begin,
                                                std::size_t end) {
    std::vector<std::string> f;
    for (const bool url : {false, true}) {
        std::string padded(blob);
        padded.resize((blob.size() + 2) / 3 * 3, '\0');
        const std::string enc = b64_groups(padded, url);
        for (std::size_t g = begin / 3; g * 3 < end; ++g) {
            std::string group = enc.substr(g * 4, 4);
            const std::size_t real = blob.size() - g * 3;  // octets of the blob in the group
            if (real < 3) {
                group.replace(real + 1, 3 - real, 3 - real, '=');  // padding, RFC 4648 §4
            }
            f.push_back(std::move(group));
        }
    }
    return f;
}

/// The first form of `secret` found in `text`, or an empty string if none is.
inline std::string leaked_form(std::string_view text, std::string_view secret) {
    for (auto& form : leak_forms(secret)) {
        if (text.find(form) != std::string_view::npos) {
            return form;
        }
    }
    return {};
}

}  // namespace smtperr::test

#endif  // SMTPERR_TESTS_SUPPORT_LEAK_FORMS_HPP
