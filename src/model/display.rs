//! How models show states and steps to people (Explorer, counterexamples).

use std::fmt;

use crate::spec::{AccountId, Command, Slot, account_letter};

use super::state::ModelState;
use super::world::{MAX_MODEL_ACCOUNTS, World};

impl<const N: usize> fmt::Debug for World<N> {
    /// The Explorer shows states through `Debug`: print what a user wants to read, one task
    /// per line, rather than the packed encoding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_world(f, self)
    }
}

/// One line per account in a model (only the accounts that matter: up to the highest one
/// that owns a task or is in arrears, at least account A).
fn write_world<const N: usize>(f: &mut fmt::Formatter<'_>, world: &World<N>) -> fmt::Result {
    let fleet = &world.fleet;
    let highest = fleet
        .slots()
        .iter()
        .map(|slot| slot.account as usize)
        .chain((0..MAX_MODEL_ACCOUNTS).filter(|&a| fleet.in_arrears(AccountId(a as u32))))
        .max()
        .unwrap_or(0);
    for account in 0..=highest {
        let billing = if fleet.in_arrears(AccountId(account as u32)) {
            "in arrears (frozen tasks wait for a recharge)"
        } else {
            "in credit"
        };
        writeln!(f, "account {}: {billing}", account_letter(account as u32))?;
    }
    if fleet.is_empty() {
        writeln!(f, "no task yet")?;
    }
    for (index, slot) in fleet.slots().iter().enumerate() {
        writeln!(f, "{}", task_line(index, slot, world))?;
    }
    if !world.broken.is_empty() {
        writeln!(f, "broken transition claims: {:?}", world.broken)?;
    }
    Ok(())
}

/// `task 1 · account A · FULL_INCR_TRANS · 暂停中 Paused (PAUSING) · phase full · instance`
pub(crate) fn task_line<const N: usize>(index: usize, slot: &Slot, world: &World<N>) -> String {
    let task = &slot.task;
    let mut line = format!(
        "task {} · account {} · {} · {}",
        index + 1,
        account_letter(u32::from(slot.account)),
        task.mode,
        task.status.label()
    );
    if let Some(from) = task.frozen_from {
        line.push_str(&format!(" · froze {}", from.label()));
    }
    if let Some(phase) = task.phase {
        line.push_str(&format!(" · remembers the {phase} phase"));
    }
    let history = world.history[index];
    line.push_str(if history.holds_instance() {
        " · holds an instance"
    } else {
        " · no instance"
    });
    line
}

/// `task 2 · pause`, `account A · arrears`, `account B · create(FULL_TRANS)`; the account of
/// a task command is shown only when the model has several.
pub fn action_label(command: &Command, show_account: bool) -> String {
    match command {
        Command::Create { account, mode } => format!("{account} · create({mode})"),
        Command::Task {
            account,
            task,
            event,
        } => {
            if show_account {
                format!("task {} · {event} (from {account})", task.0)
            } else {
                format!("task {} · {event}", task.0)
            }
        }
        Command::Arrears { account } => format!("{account} · arrears"),
        Command::Recharge { account } => format!("{account} · recharge"),
    }
}

/// What a step changed, one task per line: `task 1: 暂停中 Paused → 启动中 Starting`.
pub fn step_outcome<P>(last: &ModelState<P>, next: &ModelState<P>) -> String {
    let before = &last.world.fleet;
    let after = &next.world.fleet;
    let mut lines = Vec::new();
    for (index, slot) in after.slots().iter().enumerate() {
        match before.slots().get(index) {
            None => lines.push(format!(
                "task {} created for account {}: {} {}",
                index + 1,
                account_letter(slot.account.into()),
                slot.task.status.zh(),
                slot.task.status.english()
            )),
            Some(old) if old.task != slot.task => lines.push(format!(
                "task {}: {} {} → {} {}",
                index + 1,
                old.task.status.zh(),
                old.task.status.english(),
                slot.task.status.zh(),
                slot.task.status.english()
            )),
            Some(_) => {}
        }
    }
    for account in 0..MAX_MODEL_ACCOUNTS as u32 {
        let id = AccountId(account);
        if before.in_arrears(id) != after.in_arrears(id) {
            lines.push(format!(
                "account {} {}",
                account_letter(account),
                if after.in_arrears(id) {
                    "falls into arrears"
                } else {
                    "is recharged"
                }
            ));
        }
    }
    if next.world.broken != last.world.broken {
        lines.push(format!("broke a transition claim: {:?}", next.world.broken));
    }
    if lines.is_empty() {
        lines.push("no task changed".to_string());
    }
    lines.join("\n")
}
