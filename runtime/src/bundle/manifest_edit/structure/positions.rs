//! Where tables are written: toml_edit writes a document's tables in the order of their
//! positions, so a new table gets a position (the ones after it move down one) and a
//! moved table takes the positions its array's tables held.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use super::tables_mut;

/// Calls `visit` on every table of `item` and below, each before what is nested in it,
/// in document order.
pub(super) fn visit_tables(item: &mut Item, visit: &mut dyn FnMut(&mut Table)) {
    match item {
        Item::Table(table) => visit_table(table, visit),
        Item::ArrayOfTables(tables) => {
            for table in tables.iter_mut() {
                visit_table(table, visit);
            }
        }
        _ => {}
    }
}

pub(super) fn visit_table(table: &mut Table, visit: &mut dyn FnMut(&mut Table)) {
    visit(table);
    for (_, child) in table.iter_mut() {
        visit_tables(child, visit);
    }
}

/// The document positions (the order tables are written in) of the tables of `array`
/// and of everything nested in them.
fn positions_under(document: &mut DocumentMut, array: &str) -> Vec<isize> {
    let mut positions = Vec::new();
    if let Some(item) = document.get_mut(array) {
        visit_tables(item, &mut |table| positions.extend(table.position()));
    }
    positions
}

/// The position just after every table of `array` and its nested tables, if any.
pub(super) fn after_all(document: &mut DocumentMut, array: &str) -> Option<isize> {
    positions_under(document, array)
        .into_iter()
        .max()
        .map(|last| last + 1)
}

/// The position of the first table of `array`, if any.
pub(super) fn first_position(document: &mut DocumentMut, array: &str) -> Option<isize> {
    positions_under(document, array).into_iter().min()
}

/// A document position for a new table: `at` (tables from `at` on move down one), or
/// after every table without one.
pub(super) fn make_room(document: &mut DocumentMut, at: Option<isize>) -> isize {
    let root = document.as_table_mut();
    match at {
        Some(at) => {
            visit_table(root, &mut |existing| {
                if let Some(position) = existing.position().filter(|&position| position >= at) {
                    existing.set_position(position + 1);
                }
            });
            at
        }
        None => {
            let mut last = 0;
            visit_table(root, &mut |existing| {
                last = last.max(existing.position().unwrap_or(0));
            });
            last + 1
        }
    }
}

/// Appends `table` to `array`, written at document position `at` (tables from `at` on
/// move down one), or at the end of the file without one.
pub(super) fn push_at(
    document: &mut DocumentMut,
    array: &str,
    mut table: Table,
    at: Option<isize>,
) {
    let position = make_room(document, at);
    table.set_position(position);
    tables_mut(document, array).push(table);
}

/// Moves table `from` of `tables` to place `to`, its nested tables with it: the document
/// positions the array's tables held are handed out again in the new order.
pub(super) fn move_table(tables: &mut ArrayOfTables, from: usize, to: usize) {
    let mut slots = Vec::new();
    for table in tables.iter_mut() {
        visit_table(table, &mut |table| slots.extend(table.position()));
    }
    slots.sort_unstable();
    let mut order: Vec<Table> = tables.iter().cloned().collect();
    let to = to.min(order.len().saturating_sub(1));
    let moved = order.remove(from);
    order.insert(to, moved);
    tables.clear();
    let mut slots = slots.into_iter();
    for mut table in order {
        visit_table(&mut table, &mut |table| {
            if let Some(slot) = slots.next() {
                table.set_position(slot);
            }
        });
        tables.push(table);
    }
}
