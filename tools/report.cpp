// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include "report.hpp"

#include <smtperr/error/reply_code.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>
#include <smtperr/pipeline/json.hpp>

namespace smtperr::tool {

namespace {

boost::json::value or_null(std::string_view s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

// Labels of the text explanation, one row per language (en, de).
// The meanings of codes and enhanced codes are the standards' own English words: the German
// row says so instead of passing them off as German.
struct labels {
    std::string_view code, code_meaning, status, registry, phase, condition, transient, permanent,
        action, scope, retry, seconds, provider, help, message, detail, server_text, none,
        class_written, class_elsewhere, class_counts;
};
constexpr labels label_rows[] = {
    {"Reply code",
     " ",
     "Enhanced status",
     "meaning",
     "Phase",
     "Condition",
     "temporary",
     "permanent",
     "Action",
     "Scope",
     "Retry after",
     "seconds",
     "Provider",
     "Help",
     "List view",
     "Details",
     "Server text",
     "(none)",
     "the server wrote class ",
     "another line's enhanced code has another class",
     "; the reply code's class counts: "},
    {"Antwortcode",
     " – Wortlaut der Norm (englisch): ",
     "Erweiterter Status",
     "Bedeutung laut IANA-Register, englisch",
     "Phase",
     "Befund",
     "vorübergehend",
     "dauerhaft",
     "Aktion",
     "Bereich",
     "Erneut versuchen nach",
     "Sekunden",
     "Anbieter",
     "Hilfe",
     "Listenansicht",
     "Details",
     "Servertext",
     "(keiner)",
     "der Server schrieb Klasse ",
     "eine andere Zeile nennt einen erweiterten Status anderer Klasse",
     "; es gilt die Klasse des Antwortcodes: "},
};

}  // namespace

boost::json::object to_json(const reply_view& r, const diagnosis& d, language lang) {
    // DESIGN.md's keys come from the library's own JSON form of a diagnosis.
    boost::json::object o = smtperr::to_json(diagnosis_record(d, r.text));
    // "code" is the reply's code, as DESIGN.md says. Where the diagnosis's error code is not
    // that reply code (an XOAUTH2 challenge that does not decode), it is given on its own.
    const std::error_code reply_ec = make_error_code(reply_code{r.code});
    o["category"] = reply_ec.category().name();
    o["code"] = r.code;
    o["error_code"] = d.code == reply_ec
                          ? boost::json::value(nullptr)
                          : boost::json::value{{"category", d.code.category().name()},
                                               {"value", d.code.value()},
                                               {"message", d.code.message()}};
    const auto text = render_message(d, lang, {});
    o["message"] = text.list_line;
    o["detail"] = text.detail;
    o["action_label"] = or_null(text.action_label);
    o["code_meaning"] = reply_category().message(r.code);
    o["status_meaning"] = r.status ? boost::json::value(status_meaning(*r.status)) : nullptr;
    o["lang"] = to_string(lang);
    return o;
}

void print_explanation(std::ostream& os, const reply_view& r, const diagnosis& d, language lang) {
    const labels& l = label_rows[lang == language::de ? 1 : 0];
    const auto text = render_message(d, lang, {});
    // The category's message is "550 Requested action…": the code, then its meaning.
    const std::string code_text = reply_category().message(r.code);
    const std::size_t space = code_text.find(' ');
    os << "  " << l.code << ": " << r.code << l.code_meaning
       << (space == std::string::npos ? code_text : code_text.substr(space + 1)) << '\n';
    os << "  " << l.status << ": ";
    if (r.status) {
        os << r.status->to_string() << " (" << l.registry << ": " << status_meaning(*r.status)
           << ")";
        if (r.flags.status_class_mismatch) {
            // The flag covers every line; the class kept is the first line's, which may agree.
            os << " [";
            if (r.reported_status_class != r.code / 100) {
                os << l.class_written << int{r.reported_status_class};
            } else {
                os << l.class_elsewhere;
            }
            os << l.class_counts << r.code / 100 << "]";
        }
    } else {
        os << l.none;
    }
    os << '\n';
    os << "  " << l.phase << ": " << to_string(d.phase) << '\n';
    os << "  " << l.condition << ": " << to_string(d.condition);
    if (d.condition != condition::none) {  // Only a failure is temporary or permanent.
        os << " (" << (d.transient ? l.transient : l.permanent) << ")";
    }
    os << '\n';
    os << "  " << l.action << ": " << to_string(d.action);
    if (!text.action_label.empty()) {
        os << " — " << text.action_label;
    }
    os << '\n';
    os << "  " << l.scope << ": " << to_string(d.scope) << '\n';
    if (d.retry_after_seconds) {
        os << "  " << l.retry << ": " << *d.retry_after_seconds << ' ' << l.seconds << '\n';
    }
    if (!d.provider.empty()) {
        os << "  " << l.provider << ": " << d.provider << '\n';
    }
    if (!d.help_url.empty()) {
        os << "  " << l.help << ": " << d.help_url << '\n';
    }
    os << "  " << l.message << ": " << text.list_line << '\n';
    os << "  " << l.detail << ": " << text.detail << '\n';
    os << "  " << l.server_text << ": " << sanitize_server_text(r.text) << '\n';
}

}  // namespace smtperr::tool
