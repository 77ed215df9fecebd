//! What a handler asks for: messages to send, timers to set or cancel, a record to save.
//!
//! The roles (controller, client, instance) write their effects here rather than into
//! stateright's `Out`, which is typed by the one actor type that wraps them all
//! ([`super::node::Node`]); the wrapper replays the effects, in order, into `Out`.

use stateright::actor::Id;

use super::msg::{Msg, Timer};

/// What a handler did with a message or timer.
pub enum Handled<S> {
    /// Nothing: the message stays in the network for later (or the timer is spent).
    Ignored,
    /// Consumed (and perhaps answered), the state unchanged.
    Same,
    /// The new state.
    New(S),
}

/// One effect.
pub enum Effect<S> {
    /// Send a message.
    Send(Id, Msg),
    /// Set a timer.
    Set(Timer),
    /// Cancel a timer.
    Cancel(Timer),
    /// Save a record (what a restart starts from).
    Save(S),
}

/// The effects of one handler, in the order asked; `S` is what the role saves.
pub struct Effects<S>(pub Vec<Effect<S>>);

impl<S> Default for Effects<S> {
    fn default() -> Self {
        Effects(Vec::new())
    }
}

impl<S> Effects<S> {
    /// Sends a message.
    pub fn send(&mut self, to: Id, msg: Msg) {
        self.0.push(Effect::Send(to, msg));
    }

    /// Sets a timer (any set timer may fire at any moment).
    pub fn set_timer(&mut self, timer: Timer) {
        self.0.push(Effect::Set(timer));
    }

    /// Cancels a timer.
    pub fn cancel_timer(&mut self, timer: Timer) {
        self.0.push(Effect::Cancel(timer));
    }

    /// Saves a record.
    pub fn save(&mut self, record: S) {
        self.0.push(Effect::Save(record));
    }
}
