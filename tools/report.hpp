// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// How the command-line tool shows a classified reply: JSON (DESIGN.md keys) or text.

#ifndef SMTPERR_TOOLS_REPORT_HPP
#define SMTPERR_TOOLS_REPORT_HPP

#include <smtperr/classify/classify.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/json/object.hpp>

#include <ostream>

namespace smtperr::tool {

/// The DESIGN.md object for `explain --json` and `classify`.
boost::json::object to_json(const reply_view& r, const diagnosis& d, language lang);

/// The human-readable explanation of `explain`, in `lang`.
void print_explanation(std::ostream& os, const reply_view& r, const diagnosis& d, language lang);

}  // namespace smtperr::tool

#endif  // SMTPERR_TOOLS_REPORT_HPP
