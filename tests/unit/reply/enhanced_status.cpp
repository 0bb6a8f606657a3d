#include <smtperr/reply/enhanced_status.hpp>

// Tests of RFC 3463 enhanced status codes: parsing at the start of a reply text, the value
// encoding, and the IANA registry checked row by row against data/enhanced-status.tsv.
#include <doctest/doctest.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using smtperr::enhanced_status;

// One row of the registry copy: kind, code, sample text, basic codes, meaning, reference.
struct tsv_row {
    std::vector<std::string> fields;
    const std::string& kind() const { return fields[0]; }
    const std::string& code() const { return fields[1]; }
    const std::string& sample_text() const { return fields[2]; }
    const std::string& basic_codes() const { return fields[3]; }
    const std::string& meaning() const { return fields[4]; }
    const std::string& reference() const { return fields[5]; }
};

std::vector<tsv_row> read_registry_tsv() {
    std::ifstream in(SMTPERR_SHARED_DIR "/enhanced-status.tsv");
    std::vector<tsv_row> rows;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (header) {
            header = false;
            continue;
        }
        if (line.empty()) {
            continue;
        }
        tsv_row row;
        std::size_t start = 0;
        for (;;) {
            const std::size_t tab = line.find('\t', start);
            row.fields.push_back(line.substr(start, tab - start));
            if (tab == std::string::npos) {
                break;
            }
            start = tab + 1;
        }
        row.fields.resize(7);
        rows.push_back(row);
    }
    return rows;
}

// "X.1.10" → subject 1, detail 10.
bool split_code(std::string_view code, std::uint16_t& subject, std::uint16_t& detail) {
    if (code.size() < 5 || code.substr(0, 2) != "X.") {
        return false;
    }
    code.remove_prefix(2);
    const std::size_t dot = code.find('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    const auto number = [](std::string_view s, std::uint16_t& out) {
        if (s.empty() || s.size() > 3) {
            return false;
        }
        unsigned v = 0;
        for (const char c : s) {
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        out = static_cast<std::uint16_t>(v);
        return true;
    };
    return number(code.substr(0, dot), subject) && number(code.substr(dot + 1), detail);
}

std::string str(std::string_view s) {
    return std::string(s);
}

}  // namespace

TEST_SUITE("smtperr/reply/enhanced_status.hpp") {
    TEST_CASE("well-formed codes parse with the white space after them") {
        struct row {
            std::string_view text;
            enhanced_status status;
            std::size_t length;
        };
        const row rows[] = {
            {"5.1.1 x", {5, 1, 1}, 6},
            {"2.0.0", {2, 0, 0}, 5},
            {"4.7.0\ttext", {4, 7, 0}, 6},
            {"5.1.1   <bob@example.com> unknown", {5, 1, 1}, 8},
            {"5.1.1 \t x", {5, 1, 1}, 8},
            {"5.1.1 ", {5, 1, 1}, 6},
            {"5.999.999 x", {5, 999, 999}, 10},
            {"4.10.100", {4, 10, 100}, 8},
            {"2.1.5 Recipient ok", {2, 1, 5}, 6},
            {"5.7.26 x", {5, 7, 26}, 7},
        };
        for (const auto& r : rows) {
            INFO("text: \"" << str(r.text) << "\"");
            const auto m = smtperr::parse_enhanced_status(r.text);
            REQUIRE(m.has_value());
            CHECK(m->status == r.status);
            CHECK(m->length == r.length);
        }
    }

    TEST_CASE("every valid code parses back to itself: to_string(parse(s)) == s") {
        // hostile-servers P-04: all three classes, every subject with a spread of details and
        // every detail with a spread of subjects, alone, before text and before a tab.
        std::size_t checked = 0;
        for (const std::uint8_t cls : {std::uint8_t{2}, std::uint8_t{4}, std::uint8_t{5}}) {
            for (int i = 0; i < 1000; ++i) {
                for (const int other : {0, 1, 7, 99, 999 - i}) {
                    for (const enhanced_status st :
                         {enhanced_status{cls, static_cast<std::uint16_t>(i),
                                          static_cast<std::uint16_t>(other)},
                          enhanced_status{cls, static_cast<std::uint16_t>(other),
                                          static_cast<std::uint16_t>(i)}}) {
                        const std::string s = st.to_string();
                        for (const std::string& text : {s, s + " text", s + "\tx"}) {
                            const auto m = smtperr::parse_enhanced_status(text);
                            if (!m || m->status != st || m->status.to_string() != s ||
                                m->length != (text.size() == s.size() ? s.size() : s.size() + 1)) {
                                FAIL_CHECK("\"" << text << "\" did not round-trip");
                            }
                            ++checked;
                        }
                    }
                }
            }
        }
        CHECK(checked == 3u * 1000u * 5u * 2u * 3u);
    }

    TEST_CASE("malformed codes give no match") {
        // hostile-servers C-03 (the parser keeps the text: parser.cpp).
        const std::string_view bad[] = {
            "5.1.1234 x", "5..1 x",  "5.1.1x",  "05.1.1",   "5.01.1",   "5.1.01",  "3.1.1",
            "5.1",        "5.1 x",   "5.1.",    "5.1. x",   "6.1.1 x",  "1.1.1 x", "0.0.0",
            ".1.1 x",     "5.1.1.1", "5.1.1-x", "5.1000.1", "5,1,1 x",  "",        "5",
            "5.",         " 5.1.1",  "x5.1.1",  "5.1.1\rx", "55.1.1 x", "5.a.1 x", "5.1.a",
        };
        for (const std::string_view text : bad) {
            INFO("text: \"" << str(text) << "\"");
            CHECK(!smtperr::parse_enhanced_status(text).has_value());
        }
    }

    TEST_CASE("value() packs class, subject and detail and from_value() unpacks them") {
        static_assert(enhanced_status{5, 1, 1}.value() == 5001001);
        CHECK(enhanced_status{2, 0, 0}.value() == 2000000);
        CHECK(enhanced_status{4, 999, 999}.value() == 4999999);
        const std::uint8_t classes[] = {2, 4, 5};
        const std::uint16_t numbers[] = {0, 1, 7, 10, 30, 999};
        for (const std::uint8_t cls : classes) {
            for (const std::uint16_t subject : numbers) {
                for (const std::uint16_t detail : numbers) {
                    const enhanced_status s{cls, subject, detail};
                    const auto back = enhanced_status::from_value(s.value());
                    REQUIRE(back.has_value());
                    CHECK(*back == s);
                }
            }
        }
    }

    TEST_CASE("from_value() rejects values outside the three classes") {
        for (const int v : {INT_MIN, -5001001, -1, 0, 1, 999999, 1000000, 1999999, 3000000, 3001001,
                            6000000, 9999999, 10000000, 25001001, INT_MAX}) {
            INFO("value " << v);
            CHECK(!enhanced_status::from_value(v).has_value());
        }
    }

    TEST_CASE("to_string() writes class.subject.detail") {
        CHECK(enhanced_status{5, 1, 1}.to_string() == "5.1.1");
        CHECK(enhanced_status{2, 0, 0}.to_string() == "2.0.0");
        CHECK(enhanced_status{4, 7, 30}.to_string() == "4.7.30");
        CHECK(enhanced_status{5, 999, 999}.to_string() == "5.999.999");
        for (const std::string_view text : {"5.1.1", "4.7.30", "2.0.0", "5.999.100"}) {
            const auto m = smtperr::parse_enhanced_status(text);
            REQUIRE(m.has_value());
            CHECK(m->status.to_string() == text);
        }
    }

    TEST_CASE("equality compares all three parts") {
        CHECK(enhanced_status{5, 1, 1} == enhanced_status{5, 1, 1});
        CHECK(enhanced_status{5, 1, 1} != enhanced_status{4, 1, 1});
        CHECK(enhanced_status{5, 1, 1} != enhanced_status{5, 2, 1});
        CHECK(enhanced_status{5, 1, 1} != enhanced_status{5, 1, 2});
        CHECK_FALSE(enhanced_status{5, 1, 1} != enhanced_status{5, 1, 1});
    }

    TEST_CASE("every enumerated code of the IANA registry is found with its sample text") {
        const auto rows = read_registry_tsv();
        REQUIRE(rows.size() > 90);
        std::size_t enumerated = 0;
        for (const auto& row : rows) {
            if (row.kind() != "enumerated") {
                continue;
            }
            ++enumerated;
            INFO("code " << row.code());
            std::uint16_t subject = 0;
            std::uint16_t detail = 0;
            REQUIRE(split_code(row.code(), subject, detail));
            const auto* e = smtperr::find_status_registry_entry({5, subject, detail});
            REQUIRE(e != nullptr);
            CHECK(e->subject == subject);
            CHECK(e->detail == detail);
            // The registry lists X.6.10 without a sample text; ours says what became of it.
            const std::string want_sample =
                row.code() == "X.6.10" ? "Deprecated (duplicate of X.6.8)" : row.sample_text();
            CHECK(str(e->sample_text) == want_sample);
            CHECK(str(e->meaning) == row.meaning());
            CHECK(str(e->basic_codes) == row.basic_codes());
            CHECK(str(e->reference) == row.reference());
            // The class does not matter for the lookup.
            CHECK(smtperr::find_status_registry_entry({2, subject, detail}) == e);
            CHECK(smtperr::find_status_registry_entry({4, subject, detail}) == e);
            CHECK(smtperr::find_status_registry_entry({0, subject, detail}) == e);
            CHECK(smtperr::status_meaning({5, subject, detail}) == e->sample_text);
        }
        CHECK(enumerated == 81);

        // Nothing outside the registry: probing every plausible code finds just those rows.
        std::size_t found = 0;
        for (std::uint16_t subject = 0; subject < 20; ++subject) {
            for (std::uint16_t detail = 0; detail < 100; ++detail) {
                found += smtperr::find_status_registry_entry({5, subject, detail}) ? 1U : 0U;
            }
        }
        CHECK(found == enumerated);
    }

    TEST_CASE("codes outside the registry are not found") {
        for (const enhanced_status s :
             {enhanced_status{5, 1, 11}, enhanced_status{5, 1, 99}, enhanced_status{5, 2, 5},
              enhanced_status{5, 3, 7}, enhanced_status{4, 4, 8}, enhanced_status{5, 5, 7},
              enhanced_status{5, 6, 11}, enhanced_status{5, 7, 31}, enhanced_status{5, 8, 0},
              enhanced_status{5, 999, 999}}) {
            INFO("code " << s.to_string());
            CHECK(smtperr::find_status_registry_entry(s) == nullptr);
        }
    }

    TEST_CASE("subject and class meanings are the registry's") {
        const auto rows = read_registry_tsv();
        std::size_t subjects = 0;
        std::size_t classes = 0;
        for (const auto& row : rows) {
            INFO("code " << row.code());
            if (row.kind() == "subject") {
                std::uint16_t subject = 0;
                std::uint16_t ignored = 0;
                const std::string code = row.code().substr(0, row.code().find(".YYY")) + ".0";
                REQUIRE(split_code(code, subject, ignored));
                CHECK(str(smtperr::status_subject_meaning(subject)) == row.sample_text());
                ++subjects;
            } else if (row.kind() == "class") {
                const auto cls = static_cast<std::uint8_t>(row.code()[0] - '0');
                CHECK(str(smtperr::status_class_meaning(cls)) == row.sample_text());
                ++classes;
            }
        }
        CHECK(subjects == 8);
        CHECK(classes == 3);
        CHECK(smtperr::status_subject_meaning(8).empty());
        CHECK(smtperr::status_subject_meaning(999).empty());
        CHECK(smtperr::status_subject_meaning(65535).empty());
        const std::uint8_t not_classes[] = {0, 1, 3, 6, 9, 255};
        for (const std::uint8_t cls : not_classes) {
            CHECK(smtperr::status_class_meaning(cls).empty());
        }
    }

    TEST_CASE("status_meaning() falls back to the subject and then to the class") {
        CHECK(smtperr::status_meaning({5, 1, 1}) == "Bad destination mailbox address");
        CHECK(smtperr::status_meaning({4, 2, 2}) == "Mailbox full");
        // Unknown detail: the subject's meaning.
        CHECK(smtperr::status_meaning({5, 1, 99}) == "Addressing Status");
        CHECK(smtperr::status_meaning({4, 2, 999}) == "Mailbox Status");
        CHECK(smtperr::status_meaning({5, 7, 31}) == "Security or Policy Status");
        // Unknown subject: the class's meaning.
        CHECK(smtperr::status_meaning({5, 8, 0}) == "Permanent Failure");
        CHECK(smtperr::status_meaning({4, 9, 9}) == "Persistent Transient Failure");
        CHECK(smtperr::status_meaning({2, 999, 999}) == "Success");
        // No class either: nothing.
        CHECK(smtperr::status_meaning({3, 9, 9}).empty());
    }
}
