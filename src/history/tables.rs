//! The specification of one task, indexed once so that judging a record is a few bit
//! operations.
//!
//! A single task has at most a hundred or so reachable specification states over all three
//! modes (the status, the mode, the remembered phase and the frozen status). That fits one
//! `u128`, so a *set* of states is one machine word pair and everything the judge asks of
//! the specification becomes a table built here at startup: the states a poll answer
//! admits, the states reachable by any number of unseen steps from each state (for each
//! reading of what may go unseen), and the successor of each state under each user
//! operation. Building the tables walks the specification's own [`step`]: the validator
//! never re-encodes the lifecycle.
//!
//! Three closures of unseen steps exist because billing and user operations may or may not
//! be recorded ([`Unseen`]); a task whose account is in arrears lands frozen on every
//! freezable status in the step that reaches it (the fleet semantics), so arrears has its
//! own closure.

use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

use crate::spec::{
    Answer, ApiCode, Event, Mode, Observation, Source, Status, TaskSpec, observe, step,
};

/// A set of specification states, one bit per indexed state.
pub type States = u128;

/// How many indexed states there may be (the bits of [`States`]).
pub const MAX_STATES: usize = 128;

/// The user operations a recorded command or timeline entry can name, in the
/// specification's order (their position is their bit in an operation mask): the events of
/// [`Event::ON_TASK`] whose source is the user.
pub const USER_OPS: [Event; 9] = user_ops();

const fn user_ops() -> [Event; 9] {
    let mut out = [Event::StartNow; 9];
    let (mut found, mut i) = (0, 0);
    while i < Event::ON_TASK.len() {
        if matches!(Event::ON_TASK[i].source(), Source::User) {
            out[found] = Event::ON_TASK[i];
            found += 1;
        }
        i += 1;
    }
    assert!(found == out.len(), "USER_OPS holds every user operation");
    out
}

/// The position of a user operation in [`USER_OPS`].
pub fn op_index(op: Event) -> Option<usize> {
    USER_OPS.iter().position(|known| *known == op)
}

/// How many distinct poll answers there are: every API code, and does-not-exist.
pub const ANSWER_COUNT: usize = crate::spec::API_CODE_COUNT + 1;

/// The dense index of a poll answer.
pub fn answer_index(answer: Answer) -> usize {
    match answer {
        Answer::Code(code) => code as usize,
        Answer::NotFound => ANSWER_COUNT - 1,
    }
}

/// The poll answer of a dense index.
pub fn answer_of(index: usize) -> Answer {
    ApiCode::ALL
        .get(index)
        .map_or(Answer::NotFound, |code| Answer::Code(*code))
}

/// Which steps a judge may assume happened unseen between two records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseen {
    /// The service's own steps and billing (arrears, recharge): billing is not recorded.
    SystemAndBilling = 0,
    /// The service's own steps only: billing is recorded, the account is paying.
    System = 1,
    /// The service's own steps while the account is in arrears: every freezable status is
    /// frozen in the step that reaches it, and retention may expire.
    InArrears = 2,
}

/// The specification, indexed.
pub struct Tables {
    /// Every reachable state, by index.
    pub states: Vec<TaskSpec>,
    index: HashMap<TaskSpec, u8>,
    /// The states a poll answer admits, by [`answer_index`].
    pub shows: [States; ANSWER_COUNT],
    /// Reflexive-transitive closure of unseen steps from each state: `[unseen][users][i]`,
    /// where `users` says whether unrecorded user operations may be among them.
    closure: [[[States; MAX_STATES]; 2]; 3],
    /// The successor of each state under each user operation (`u8::MAX`: refused).
    op_step: [[u8; USER_OPS.len()]; MAX_STATES],
    /// The user operations each state accepts, as a mask over [`USER_OPS`].
    pub accepts: [u16; MAX_STATES],
    /// The states of each mode.
    pub of_mode: [States; 3],
    /// The states every task may be in: all of them.
    pub all: States,
    /// Deleted.
    pub deleted: States,
    /// Ended or Deleted.
    pub ended: States,
    /// A task whose end was requested (it only goes on ending).
    pub ending: States,
    /// Frozen.
    pub frozen: States,
    /// Paused (not frozen).
    pub paused: States,
    /// Freezable states (what arrears freezes).
    pub freezable: States,
    /// What each state's frozen form is (arrears), `u8::MAX` for none.
    freeze: [u8; MAX_STATES],
    /// What each frozen state thaws to (recharge), `u8::MAX` for none.
    thaw: [u8; MAX_STATES],
}

/// The tables, built on first use.
pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

const NONE: u8 = u8::MAX;

/// The events no record shows: the service's own steps.
fn system_events() -> impl Iterator<Item = Event> {
    Event::ON_TASK
        .into_iter()
        .filter(|event| matches!(event.source(), crate::spec::Source::System))
}

impl Tables {
    fn build() -> Tables {
        // Every state reachable from creation in any mode, by breadth-first search over
        // every event a task can meet.
        let mut states: Vec<TaskSpec> = Vec::new();
        let mut index: HashMap<TaskSpec, u8> = HashMap::new();
        let mut queue = VecDeque::new();
        for mode in Mode::ALL {
            let created = TaskSpec::created(mode);
            // The three modes' created states differ by their mode.
            index.insert(created, states.len() as u8);
            states.push(created);
            queue.push_back(created);
        }
        while let Some(state) = queue.pop_front() {
            for event in Event::ON_TASK {
                if let Some(next) = step(&state, event)
                    && !index.contains_key(&next)
                {
                    assert!(states.len() < MAX_STATES, "more than {MAX_STATES} states");
                    index.insert(next, states.len() as u8);
                    states.push(next);
                    queue.push_back(next);
                }
            }
        }
        let n = states.len();
        let bit = |i: usize| 1u128 << i;
        let set_of = |pred: &dyn Fn(&TaskSpec) -> bool| -> States {
            (0..n)
                .filter(|&i| pred(&states[i]))
                .fold(0, |s, i| s | bit(i))
        };

        let mut shows = [0u128; ANSWER_COUNT];
        for (a, shown) in shows.iter_mut().enumerate() {
            let answer = answer_of(a);
            *shown = set_of(&|state| observe(state).admits(answer));
        }
        let find = |state: Option<TaskSpec>| -> u8 {
            state.and_then(|s| index.get(&s).copied()).unwrap_or(NONE)
        };
        let mut op_step = [[NONE; USER_OPS.len()]; MAX_STATES];
        let mut accepts = [0u16; MAX_STATES];
        let mut freeze = [NONE; MAX_STATES];
        let mut thaw = [NONE; MAX_STATES];
        for i in 0..n {
            for (o, op) in USER_OPS.into_iter().enumerate() {
                op_step[i][o] = find(step(&states[i], op));
                if op_step[i][o] != NONE {
                    accepts[i] |= 1 << o;
                }
            }
            freeze[i] = find(step(&states[i], Event::AccountInArrears));
            thaw[i] = find(step(&states[i], Event::AccountRecharged));
        }

        // One-step successors for each reading of the unseen.
        let mut closure = [[[0u128; MAX_STATES]; 2]; 3];
        for unseen in [Unseen::SystemAndBilling, Unseen::System, Unseen::InArrears] {
            for users in [false, true] {
                let successors = |i: usize| -> Vec<usize> {
                    let mut out = Vec::new();
                    let mut push = |next: u8| {
                        if next == NONE {
                            return;
                        }
                        let next = next as usize;
                        // In arrears, a step that lands on a freezable status freezes there.
                        if unseen == Unseen::InArrears && freeze[next] != NONE {
                            out.push(freeze[next] as usize);
                        } else {
                            out.push(next);
                        }
                    };
                    for event in system_events() {
                        push(find(step(&states[i], event)));
                    }
                    match unseen {
                        Unseen::SystemAndBilling => {
                            push(freeze[i]);
                            push(thaw[i]);
                        }
                        Unseen::System => {}
                        // Retention expiry is a system event: already among them.
                        Unseen::InArrears => {}
                    }
                    if users {
                        for next in op_step[i] {
                            push(next);
                        }
                    }
                    out
                };
                let table = &mut closure[unseen as usize][usize::from(users)];
                for (start, reach) in table.iter_mut().enumerate().take(n) {
                    let mut seen = bit(start);
                    let mut stack = vec![start];
                    while let Some(i) = stack.pop() {
                        for next in successors(i) {
                            if seen & bit(next) == 0 {
                                seen |= bit(next);
                                stack.push(next);
                            }
                        }
                    }
                    *reach = seen;
                }
            }
        }
        let all = if n == MAX_STATES {
            u128::MAX
        } else {
            bit(n) - 1
        };
        let of_mode = Mode::ALL.map(|mode| set_of(&|state| state.mode == mode));
        let deleted = set_of(&|state| state.status == Status::Deleted);
        let ended = set_of(&|state| state.status.is_terminal());
        let ending = set_of(&|state| {
            matches!(
                state.effective_status(),
                Status::EndRequested
                    | Status::Ending
                    | Status::EndFailed
                    | Status::Ended
                    | Status::Deleted
            )
        });
        let frozen = set_of(&|state| state.status == Status::Frozen);
        let paused = set_of(&|state| state.status == Status::Paused);
        let freezable = set_of(&|state| state.status.is_freezable());
        Tables {
            states,
            index,
            shows,
            closure,
            op_step,
            accepts,
            of_mode,
            all,
            deleted,
            ended,
            ending,
            frozen,
            paused,
            freezable,
            freeze,
            thaw,
        }
    }

    /// The index of a state, if it is reachable.
    pub fn index_of(&self, state: &TaskSpec) -> Option<usize> {
        self.index.get(state).map(|i| *i as usize)
    }

    /// The states reachable from `set` by any number of unseen steps (none included).
    #[inline]
    pub fn close(&self, set: States, unseen: Unseen, users: bool) -> States {
        let table = &self.closure[unseen as usize][usize::from(users)];
        let mut out = 0;
        let mut rest = set;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            out |= table[i];
            rest &= rest - 1;
        }
        out
    }

    /// The states `set` moves to under user operation `op` (those that refuse it drop out).
    #[inline]
    pub fn apply(&self, set: States, op: usize) -> States {
        let mut out = 0;
        let mut rest = set;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            let next = self.op_step[i][op];
            if next != NONE {
                out |= 1 << next;
            }
            rest &= rest - 1;
        }
        out
    }

    /// The states `set` moves to under any of the user operations of `ops` (a mask over
    /// [`USER_OPS`]): the API's `restart` is resume or retry, whichever a state accepts.
    #[inline]
    pub fn apply_any(&self, set: States, ops: u16) -> States {
        let mut out = 0;
        let mut rest = ops;
        while rest != 0 {
            out |= self.apply(set, rest.trailing_zeros() as usize);
            rest &= rest - 1;
        }
        out
    }

    /// The states of `set` that refuse every user operation of `ops`.
    #[inline]
    pub fn refusing_all(&self, set: States, ops: u16) -> States {
        let mut out = set;
        let mut rest = ops;
        while rest != 0 {
            out &= self.refusing(set, rest.trailing_zeros() as usize);
            rest &= rest - 1;
        }
        out
    }

    /// The states of `set` that refuse user operation `op`.
    #[inline]
    pub fn refusing(&self, set: States, op: usize) -> States {
        let mut out = 0;
        let mut rest = set;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            if self.op_step[i][op] == NONE {
                out |= 1 << i;
            }
            rest &= rest - 1;
        }
        out
    }

    /// Arrears begins: every freezable state freezes.
    pub fn freeze_all(&self, set: States) -> States {
        self.map(set, &self.freeze)
    }

    /// The account is recharged: every frozen state thaws.
    pub fn thaw_all(&self, set: States) -> States {
        self.map(set, &self.thaw)
    }

    fn map(&self, set: States, table: &[u8; MAX_STATES]) -> States {
        let mut out = 0;
        let mut rest = set;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            out |= match table[i] {
                NONE => 1 << i,
                next => 1 << next,
            };
            rest &= rest - 1;
        }
        out
    }

    /// The user operations accepted in some state of `set`, and in every state of it.
    pub fn accepted_ops(&self, set: States) -> (u16, u16) {
        let (mut any, mut every) = (0u16, u16::MAX);
        let mut rest = set;
        while rest != 0 {
            let i = rest.trailing_zeros() as usize;
            any |= self.accepts[i];
            every &= self.accepts[i];
            rest &= rest - 1;
        }
        (any, if set == 0 { 0 } else { every })
    }

    /// The distinct observations of the states in `set`.
    pub fn observations(&self, set: States) -> Vec<Observation> {
        let mut out: Vec<Observation> = self
            .members(set)
            .map(|i| observe(&self.states[i]))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The indices of the states in `set`.
    pub fn members(&self, set: States) -> impl Iterator<Item = usize> + '_ {
        (0..self.states.len()).filter(move |i| set & (1 << i) != 0)
    }

    /// The shortest run of unseen steps from some state of `from` to some state of `to`
    /// (user operations among them only those of the mask `users`):
    /// the events and the states they lead through (empty when `from` meets `to`).
    pub fn shortest_unseen_path(
        &self,
        from: States,
        to: States,
        unseen: Unseen,
        users: u16,
    ) -> Option<Vec<(Event, usize)>> {
        let n = self.states.len();
        let mut previous: Vec<Option<(usize, Event)>> = vec![None; n];
        let mut seen = from;
        let mut queue: VecDeque<usize> = self.members(from).collect();
        let mut reached = self.members(from & to).next();
        while reached.is_none() {
            let i = queue.pop_front()?;
            for (event, next) in self.unseen_successors(i, unseen, users) {
                if seen & (1 << next) == 0 {
                    seen |= 1 << next;
                    previous[next] = Some((i, event));
                    if to & (1 << next) != 0 {
                        reached = Some(next);
                        break;
                    }
                    queue.push_back(next);
                }
            }
        }
        let mut path = Vec::new();
        let mut at = reached?;
        while let Some((before, event)) = previous[at] {
            path.push((event, at));
            at = before;
        }
        path.reverse();
        Some(path)
    }

    /// The unseen steps from one state, with the events that take them; `users` is the mask
    /// (over [`USER_OPS`]) of the user operations that may be among them.
    pub fn unseen_successors(&self, i: usize, unseen: Unseen, users: u16) -> Vec<(Event, usize)> {
        let state = &self.states[i];
        let mut events: Vec<Event> = system_events().collect();
        match unseen {
            Unseen::SystemAndBilling => {
                events.extend([Event::AccountInArrears, Event::AccountRecharged]);
            }
            Unseen::System => {}
            Unseen::InArrears => {}
        }
        events.extend(
            USER_OPS
                .into_iter()
                .enumerate()
                .filter(|(o, _)| users & 1 << o != 0)
                .map(|(_, op)| op),
        );
        let mut out = Vec::new();
        for event in events {
            if let Some(next) = step(state, event).and_then(|s| self.index_of(&s)) {
                let next = if unseen == Unseen::InArrears && self.freeze[next] != NONE {
                    self.freeze[next] as usize
                } else {
                    next
                };
                out.push((event, next));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator of random sets of states (no shrinking needed: a
    /// failure names the set).
    fn random_sets(count: usize) -> Vec<States> {
        let n = tables().states.len();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let all = tables().all;
        let mut out = vec![0, all];
        out.extend((0..n).map(|i| 1u128 << i));
        while out.len() < count {
            let word = (u128::from(next()) << 64 | u128::from(next())) & all;
            // Sparse sets as well as dense ones.
            let sparse = word & (u128::from(next()) << 64 | u128::from(next()));
            out.push(if out.len() % 2 == 0 { word } else { sparse });
        }
        out
    }

    /// What may happen unseen to a task in `state`, straight from the specification's
    /// `step`: the service's own steps, billing when it is not recorded, the user
    /// operations of `users`; in arrears, a step landing on a freezable status lands frozen.
    fn reference_successors(state: &TaskSpec, unseen: Unseen, users: u16) -> Vec<TaskSpec> {
        let mut events: Vec<Event> = Event::ON_TASK
            .into_iter()
            .filter(|event| event.source() == Source::System)
            .collect();
        if unseen == Unseen::SystemAndBilling {
            events.extend([Event::AccountInArrears, Event::AccountRecharged]);
        }
        for (o, op) in USER_OPS.into_iter().enumerate() {
            if users & 1 << o != 0 {
                events.push(op);
            }
        }
        events
            .into_iter()
            .filter_map(|event| step(state, event))
            .map(|next| match unseen {
                Unseen::InArrears => step(&next, Event::AccountInArrears).unwrap_or(next),
                _ => next,
            })
            .collect()
    }

    /// The distance (number of unseen steps) from `state` to every state, by breadth-first
    /// search over [`reference_successors`].
    fn reference_distances(from: States, unseen: Unseen, users: u16) -> Vec<Option<usize>> {
        let t = tables();
        let mut distance = vec![None; t.states.len()];
        let mut queue = VecDeque::new();
        for i in t.members(from) {
            distance[i] = Some(0);
            queue.push_back(i);
        }
        while let Some(i) = queue.pop_front() {
            for next in reference_successors(&t.states[i], unseen, users) {
                let j = t.index_of(&next).expect("a successor is reachable");
                if distance[j].is_none() {
                    distance[j] = Some(distance[i].unwrap() + 1);
                    queue.push_back(j);
                }
            }
        }
        distance
    }

    const UNSEEN: [Unseen; 3] = [Unseen::SystemAndBilling, Unseen::System, Unseen::InArrears];
    const ALL_USERS: u16 = (1 << USER_OPS.len()) - 1;

    #[test]
    fn every_table_entry_is_the_specification_step_function() {
        let t = tables();
        let n = t.states.len();
        assert_eq!(t.all, (1u128 << n) - 1);
        for (i, state) in t.states.iter().enumerate() {
            assert_eq!(t.index_of(state), Some(i));
            for (o, op) in USER_OPS.into_iter().enumerate() {
                let next = step(state, op);
                assert_eq!(
                    t.accepts[i] & 1 << o != 0,
                    next.is_some(),
                    "{state:?} accepts {op:?}"
                );
                assert_eq!(
                    t.op_step[i][o],
                    next.map_or(NONE, |s| t.index_of(&s).unwrap() as u8),
                    "{state:?} under {op:?}"
                );
                assert_eq!(
                    t.apply(1 << i, o),
                    next.map_or(0, |s| 1 << t.index_of(&s).unwrap()),
                );
                assert_eq!(
                    t.refusing(1 << i, o),
                    if next.is_some() { 0 } else { 1 << i }
                );
            }
            for (table, event) in [
                (&t.freeze, Event::AccountInArrears),
                (&t.thaw, Event::AccountRecharged),
            ] {
                assert_eq!(
                    table[i],
                    step(state, event).map_or(NONE, |s| t.index_of(&s).unwrap() as u8),
                    "{state:?} under {event:?}"
                );
            }
            for a in 0..ANSWER_COUNT {
                assert_eq!(
                    t.shows[a] & 1 << i != 0,
                    observe(state).admits(answer_of(a)),
                    "{state:?} shown as {}",
                    answer_of(a)
                );
            }
            let member = |set: States| set & 1 << i != 0;
            for (m, mode) in Mode::ALL.into_iter().enumerate() {
                assert_eq!(member(t.of_mode[m]), state.mode == mode);
            }
            assert_eq!(member(t.deleted), state.status == Status::Deleted);
            assert_eq!(member(t.ended), state.status.is_terminal());
            assert_eq!(member(t.frozen), state.status == Status::Frozen);
            assert_eq!(member(t.paused), state.status == Status::Paused);
            assert_eq!(member(t.freezable), state.status.is_freezable());
            assert_eq!(
                member(t.ending),
                matches!(
                    state.effective_status(),
                    Status::EndRequested
                        | Status::Ending
                        | Status::EndFailed
                        | Status::Ended
                        | Status::Deleted
                ),
                "{state:?}"
            );
        }
        for a in 0..ANSWER_COUNT {
            assert_eq!(answer_index(answer_of(a)), a);
        }
    }

    #[test]
    fn each_closure_is_reachability_under_the_specification_step_function() {
        let t = tables();
        for unseen in UNSEEN {
            for users in [false, true] {
                let mask = if users { ALL_USERS } else { 0 };
                for i in 0..t.states.len() {
                    let reach = reference_distances(1 << i, unseen, mask)
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.is_some())
                        .fold(0u128, |s, (j, _)| s | 1 << j);
                    assert_eq!(
                        t.close(1 << i, unseen, users),
                        reach,
                        "{:?}, {unseen:?}, users {users}",
                        t.states[i]
                    );
                }
            }
        }
    }

    #[test]
    fn the_set_operations_are_unions_of_their_members() {
        let t = tables();
        let n = t.states.len();
        let members = |set: States| (0..n).filter(move |i| set & 1 << i != 0);
        for set in random_sets(400) {
            assert_eq!(
                t.members(set).collect::<Vec<_>>(),
                members(set).collect::<Vec<_>>()
            );
            for unseen in UNSEEN {
                for users in [false, true] {
                    let expected = members(set).fold(0, |s, i| s | t.close(1 << i, unseen, users));
                    assert_eq!(t.close(set, unseen, users), expected);
                }
            }
            for o in 0..USER_OPS.len() {
                let expected = members(set).fold(0, |s, i| s | t.apply(1 << i, o));
                assert_eq!(t.apply(set, o), expected);
                let refusing = members(set)
                    .filter(|&i| t.accepts[i] & 1 << o == 0)
                    .fold(0, |s, i| s | 1 << i);
                assert_eq!(t.refusing(set, o), refusing);
            }
            for ops in [0u16, 1, 0b11, 0b1010_0101, 0b1_0000_0000, ALL_USERS] {
                let applied = (0..USER_OPS.len())
                    .filter(|o| ops & 1 << o != 0)
                    .fold(0, |s, o| s | t.apply(set, o));
                assert_eq!(t.apply_any(set, ops), applied, "{ops:b}");
                let refusing_all = members(set)
                    .filter(|&i| t.accepts[i] & ops == 0)
                    .fold(0, |s, i| s | 1 << i);
                assert_eq!(t.refusing_all(set, ops), refusing_all, "{ops:b}");
            }
            let mapped = |table: &[u8; MAX_STATES]| {
                members(set).fold(0, |s, i| {
                    s | match table[i] {
                        NONE => 1 << i,
                        next => 1 << next,
                    }
                })
            };
            assert_eq!(t.freeze_all(set), mapped(&t.freeze));
            assert_eq!(t.thaw_all(set), mapped(&t.thaw));
            let any = members(set).fold(0, |s, i| s | t.accepts[i]);
            let every = members(set).fold(ALL_USERS, |s, i| s & t.accepts[i]);
            let every = if set == 0 { 0 } else { every };
            assert_eq!(t.accepted_ops(set), (any, every));
            let mut observations: Vec<Observation> =
                members(set).map(|i| observe(&t.states[i])).collect();
            observations.sort();
            observations.dedup();
            assert_eq!(t.observations(set), observations);
        }
    }

    #[test]
    fn unseen_successors_are_the_specification_step_function() {
        let t = tables();
        for unseen in UNSEEN {
            for users in [0, 0b1, 0b1_0100_0010, ALL_USERS] {
                for (i, state) in t.states.iter().enumerate() {
                    let mut got: Vec<usize> = t
                        .unseen_successors(i, unseen, users)
                        .into_iter()
                        .map(|(event, next)| {
                            let reached = step(state, event).unwrap();
                            let reached = match unseen {
                                Unseen::InArrears => {
                                    step(&reached, Event::AccountInArrears).unwrap_or(reached)
                                }
                                _ => reached,
                            };
                            assert_eq!(t.states[next], reached, "{state:?} {event:?}");
                            next
                        })
                        .collect();
                    let mut expected: Vec<usize> = reference_successors(state, unseen, users)
                        .iter()
                        .map(|s| t.index_of(s).unwrap())
                        .collect();
                    got.sort_unstable();
                    expected.sort_unstable();
                    assert_eq!(got, expected, "{state:?}, {unseen:?}, users {users:b}");
                }
            }
        }
    }

    #[test]
    fn the_shortest_unseen_path_is_a_shortest_run_of_the_specification() {
        let t = tables();
        let sets = random_sets(160);
        let mut found = 0;
        for (k, &from) in sets.iter().enumerate() {
            let to = sets[(k * 7 + 3) % sets.len()] & !from | sets[(k * 11 + 5) % sets.len()] & 1;
            for unseen in UNSEEN {
                for users in [0, 0b100, ALL_USERS] {
                    let distance = reference_distances(from, unseen, users);
                    let nearest = t.members(to).filter_map(|j| distance[j]).min();
                    let path = t.shortest_unseen_path(from, to, unseen, users);
                    let Some(path) = path else {
                        assert_eq!(nearest, None, "a path exists: {from:b} to {to:b}");
                        continue;
                    };
                    found += 1;
                    assert_eq!(Some(path.len()), nearest, "{from:b} to {to:b}, {unseen:?}");
                    // The path is a run: it starts in `from`, each step is one of the
                    // unseen successors of the state before, and it ends in `to`.
                    let mut at: Option<usize> = None;
                    for (event, next) in &path {
                        let before = at.map_or(from, |i| 1 << i);
                        assert!(
                            t.members(before).any(|i| t
                                .unseen_successors(i, unseen, users)
                                .contains(&(*event, *next))),
                            "{event:?} to {:?}",
                            t.states[*next]
                        );
                        at = Some(*next);
                    }
                    match at {
                        Some(last) => assert_ne!(to & 1 << last, 0),
                        None => assert_ne!(from & to, 0),
                    }
                }
            }
        }
        assert!(found > 100, "only {found} paths exist among the samples");
    }

    #[test]
    fn every_reachable_state_fits_one_word() {
        let t = tables();
        assert!(t.states.len() <= MAX_STATES);
        assert_eq!(
            t.states.len(),
            86,
            "pinned: the reachable single-task states"
        );
    }

    #[test]
    fn a_deleted_task_is_shown_deleted_or_not_found_and_nothing_else() {
        let t = tables();
        assert_eq!(t.shows[answer_index(Answer::NotFound)], t.deleted);
        assert_eq!(
            t.shows[answer_index(Answer::Code(ApiCode::Deleted))],
            t.deleted
        );
        assert_eq!(
            t.close(t.deleted, Unseen::SystemAndBilling, true),
            t.deleted
        );
    }

    #[test]
    fn excursion_codes_show_no_state() {
        let t = tables();
        for code in ApiCode::ALL {
            if code.status().is_none() {
                assert_eq!(t.shows[code as usize], 0, "{code}");
            }
        }
    }

    #[test]
    fn an_ended_task_reaches_only_deleted() {
        let t = tables();
        let ended = t.ended & !t.deleted;
        assert_eq!(t.close(ended, Unseen::SystemAndBilling, true), t.ended);
        assert_eq!(t.close(ended, Unseen::SystemAndBilling, false), ended);
    }
}
