// Package condition compiles and evaluates the CEL conditions administrators
// write on notifications ("only when object.status != 'cancelled'") and on
// schedules (the rule that selects contacts or objects: birthdays, expiring
// qualifications, overdue tasks).
//
// An Env declares the roots of Herold's data model (model.DataRoots: event,
// data, contact, recipient, object, project, actors and workspace as maps;
// now and today as timestamps) and the helpers days_until, days_since,
// hours_since, hours_until, is_birthday, age and date. Env.Compile runs at
// save time and returns a *CompileError whose issues carry 1-based lines
// and columns (including unknown fields of the fixed roots event and
// workspace); Env.Cached compiles through a bounded cache for the engine.
//
// Program.Eval evaluates against the map model.NewData builds, in the time
// zone of the workspace or the recipient. The helpers need that
// evaluation's clock and zone, which functions bound when the environment
// is built cannot see: they are declared with CEL late bindings and every
// evaluation supplies implementations that close over its now, today and
// location (see clock). Numbers are normalized first so that JSON decoded
// as float64 or json.Number behaves the same: whole numbers are CEL ints.
//
// Evaluation is bounded: expressions by length, nesting and node count at
// compile time; each evaluation by a CEL cost budget (ErrCostLimit) and a
// deadline checked inside macro loops (ErrTimeout).
//
// Every evaluation explains itself: Result.Values holds each data path the
// expression referenced (object.status, contact.birthday, today) with the
// value seen, and the results of helper calls on such paths
// (days_until(object.expires_on)), so that a trace can say why a condition
// was false. A missing field is an error naming it ("contact has no field
// 'birthday'"); has(contact.birthday) guards optional fields.
//
// A scan over many records (a schedule's) can leave records to the
// database: Program.DateSkip names those a condition with a birthday term
// (has(contact.birthday) && is_birthday(contact.birthday, 0)) is false for
// without an error, by the month and day of a plain date.
//
// docs/conditions.md is the administrator's reference.
package condition
