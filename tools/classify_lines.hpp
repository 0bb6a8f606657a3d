// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// `smtperr classify`: JSON lines in, one JSON object per line out (DESIGN.md), as a stream
// that takes its input in pieces of any size.

#ifndef SMTPERR_TOOLS_CLASSIFY_LINES_HPP
#define SMTPERR_TOOLS_CLASSIFY_LINES_HPP

#include <smtperr/classify/phase.hpp>
#include <smtperr/messages/messages.hpp>

#include <boost/json/object.hpp>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace smtperr::tool {

/// The phase a reply code most often answers: the phase a reply is classified in when the
/// caller names none (`explain` without --phase, a `classify` line without "phase").
phase typical_phase(int code);

/// A reply as pasted or quoted: without the line ends and empty lines after its last line
/// (not a line of spaces, which stays "data after the final line").
std::string_view trim_reply_end(std::string_view reply) noexcept;

/// One input line → its output object: the DESIGN.md keys, or `"error"` saying why the line
/// could not be classified. An input object's `"id"` (a string or an integer; anything else
/// is an error) is echoed either way.
boost::json::object classify_line(std::string_view line, language lang);

/** The `classify` stream: feed() it the input in pieces of any size; it writes one object
    per line (a blank one too: an `"error"`), in order, as soon as the line is complete, and
   finish() writes the last line if it had no line feed. A byte order mark before the first
   line is ignored. A line over `max_line` octets is not kept:
   it gives one `"error"` object, and the memory held stays within `max_line` whatever the input.
*/
class line_classifier {
  public:
    static constexpr std::size_t default_max_line = std::size_t{1} << 20;

    explicit line_classifier(language lang, std::size_t max_line = default_max_line)
        : lang_(lang), max_line_(max_line) {}

    /// Takes the next piece of input and writes the objects of the lines it completes.
    void feed(std::string_view piece, std::ostream& out);
    /// Ends the input: writes the object of a last line that had no line feed.
    void finish(std::ostream& out);
    /// True once any line gave an `"error"` object.
    bool failed() const noexcept { return failed_; }

  private:
    void emit(std::ostream& out);

    language lang_;
    std::size_t max_line_;
    std::string line_;
    bool overflow_ = false;
    bool failed_ = false;
    bool first_ = true;  ///< The input's first line, which may start with a byte order mark.
};

}  // namespace smtperr::tool

#endif  // SMTPERR_TOOLS_CLASSIFY_LINES_HPP
