// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_ERROR_TABLES_HPP
#define SMTPERR_SRC_ERROR_TABLES_HPP

#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtperr::detail {

/// A basic reply code: its meaning and its context-free condition.
struct reply_code_row {
    int code;
    std::string_view meaning;
    condition default_condition;
};
extern const reply_code_row reply_code_rows[];  // sorted by code
extern const std::size_t reply_code_row_count;
const reply_code_row* find_reply_code_row(int code) noexcept;

/// An enhanced status `X.subject.detail` (detail −1: any detail of the subject) → condition.
/// `condition::none` here means "fall back to the class".
struct status_condition_row {
    std::int16_t subject;
    std::int16_t detail;
    condition default_condition;
    /// In class 4, when it differs (none: the same as in class 5).
    condition transient_condition = condition::none;
};
extern const status_condition_row status_condition_rows[];  // sorted
extern const std::size_t status_condition_row_count;

/// The `smtperr.transport` values: message and the condition and class they compare to.
struct errc_row {
    errc value;
    std::string_view message;
    condition cond;
    failure_class cls;
};
extern const errc_row errc_rows[];
extern const std::size_t errc_row_count;
const errc_row* find_errc_row(int value) noexcept;

/// Condition names (DESIGN.md) and a one-line English description, indexed by value.
struct condition_row {
    std::string_view name;
    std::string_view description;
};
extern const condition_row condition_rows[];

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_ERROR_TABLES_HPP
