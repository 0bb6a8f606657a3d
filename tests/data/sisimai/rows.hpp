// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// How a row of diagnostics.tsv becomes a reply, and how reason_map.tsv is read. Shared by
// the agreement test (tests/unit/classify/sisimai.cpp), the classifier benchmark's corpus
// (bench/corpus.cpp) and the Sisimai benchmark (bench/sisimai/smtperr_side.cpp), so that
// all three classify exactly the same replies.

#ifndef SMTPERR_TESTS_DATA_SISIMAI_ROWS_HPP
#define SMTPERR_TESTS_DATA_SISIMAI_ROWS_HPP

#include <smtperr/classify/phase.hpp>
#include <smtperr/error/condition.hpp>

#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr::sisimai_data {

/// One text of diagnostics.tsv as the reply a client would have received.
struct row {
    std::string id;
    std::string reason;  ///< Sisimai's reason for it.
    std::string text;    ///< The diagnostic text alone, as Sisimai->match gets it.
    std::string reply;   ///< The reply, without the line end.
    phase ph;            ///< The command it answers.
    std::string host;    ///< The remote host, or empty.
};

/// Sisimai reason → the smtperr conditions that say the same thing (empty: the reason has
/// no submission-time counterpart and is left out of the agreement).
using reason_map = std::map<std::string, std::vector<condition>>;

inline std::vector<std::string> split(std::string_view line, char sep) {
    std::vector<std::string> out;
    for (;;) {
        const auto at = line.find(sep);
        out.emplace_back(line.substr(0, at));
        if (at == std::string_view::npos) {
            return out;
        }
        line.remove_prefix(at + 1);
    }
}

/// The text starts with a reply code ("550 …", "550-…" or just "550").
inline bool starts_with_code(std::string_view text) {
    if (text.size() < 3 || text[0] < '2' || text[0] > '5') {
        return false;
    }
    for (std::size_t i = 1; i < 3; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    return text.size() == 3 || text[3] == ' ' || text[3] == '-';
}

/** The class ('4' or '5') of the first enhanced status code in `text` (RFC 3463:
    class.subject.detail, one to three digits each, not part of a longer dotted number such
    as an IP address), or 0 when it has none. A 2.x.x is no failure's class and is passed by.
*/
inline char enhanced_class(std::string_view text) {
    const auto digit = [&](std::size_t i) {
        return i < text.size() && text[i] >= '0' && text[i] <= '9';
    };
    // Digits from i on (at most 3), then the position after them; i itself when none.
    const auto digits = [&](std::size_t i) {
        std::size_t j = i;
        while (j < i + 3 && digit(j)) {
            ++j;
        }
        return j;
    };
    for (std::size_t i = 0; i + 4 < text.size(); ++i) {
        if ((text[i] != '4' && text[i] != '5') || text[i + 1] != '.' ||
            (i > 0 && (digit(i - 1) || text[i - 1] == '.'))) {
            continue;
        }
        const std::size_t subject_end = digits(i + 2);
        if (subject_end == i + 2 || subject_end >= text.size() || text[subject_end] != '.') {
            continue;
        }
        const std::size_t detail_end = digits(subject_end + 1);
        if (detail_end == subject_end + 1 || digit(detail_end) ||
            (detail_end < text.size() && text[detail_end] == '.' && digit(detail_end + 1))) {
            continue;
        }
        return text[i];
    }
    return 0;
}

/** The reply a text makes on its own, with nothing from the bounce around it: the text
    when it starts with a reply code, else the text after 450 when its first enhanced
    status code is a 4.x.x, else after 550 (a bounce reports a permanent failure unless it
    says otherwise).
*/
inline std::string text_only_reply(std::string_view text) {
    if (starts_with_code(text)) {
        return std::string(text);
    }
    return (enhanced_class(text) == '4' ? "450 " : "550 ") + std::string(text);
}

/// The phase of the command a bounce names; '-' (none named): most bounces report a
/// recipient.
inline phase phase_of(std::string_view command) {
    if (command == "MAIL")
        return phase::mail;
    if (command == "DATA")
        return phase::data_end;
    if (command == "HELO" || command == "EHLO")
        return phase::ehlo;
    if (command == "QUIT")
        return phase::quit;
    return phase::rcpt;
}

/** The rows of diagnostics.tsv at `path` (empty if it cannot be read). The text is the
    reply when it starts with the row's code; else the row's code is put first. A row
    without a code gets its reply from the text alone (text_only_reply). The status column
    is never used: it is Sisimai's reading of the whole bounce, and where
    status_is_sisimai_internal is 1 Sisimai made it up from the reason it found, the very
    answer the agreement checks.
*/
inline std::vector<row> read_rows(const std::string& path) {
    std::vector<row> rows;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // id smtp_command reply_code status … reason rhost text
    while (std::getline(in, line)) {
        const auto f = split(line, '\t');
        if (f.size() < 8) {
            continue;
        }
        const std::string& code = f[2];
        const std::string& text = f[7];
        std::string reply;
        if (code == "-" || code.empty()) {
            reply = text_only_reply(text);
        } else if (starts_with_code(text) && text.compare(0, 3, code) == 0) {
            reply = text;
        } else {
            reply = code + " " + text;
        }
        rows.push_back({f[0], f[5], text, std::move(reply), phase_of(f[1]),
                        f[6] == "-" ? std::string() : f[6]});
    }
    return rows;
}

/// reason_map.tsv at `path` into `out`. False with `error` set for a file that cannot be
/// read or names an unknown condition.
inline bool read_reason_map(const std::string& path, reason_map& out, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = path + ": cannot be read";
        return false;
    }
    std::string line;
    bool header = true;  // reason	conditions
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        const auto f = split(line, '\t');
        auto& conds = out[f[0]];
        for (const auto& name : f.size() > 1 ? split(f[1], ',') : std::vector<std::string>{}) {
            if (name.empty()) {
                continue;
            }
            const auto c = condition_from_string(name);
            if (!c) {
                error = path + ": " + f[0] + ": unknown condition " + name;
                return false;
            }
            conds.push_back(*c);
        }
    }
    return true;
}

}  // namespace smtperr::sisimai_data

#endif  // SMTPERR_TESTS_DATA_SISIMAI_ROWS_HPP
