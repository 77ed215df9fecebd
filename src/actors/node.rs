//! The one actor type stateright's model needs: the controller, the client or an instance.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use stateright::actor::{Actor, Id, Out, model_timeout};

use super::Exhaustive;
use super::client::{Client, ClientState};
use super::controller::{Controller, ControllerState};
use super::effects::{Effect, Effects, Handled};
use super::instance::{Instance, InstanceState};
use super::msg::{Msg, Timer};

/// An actor of the distributed control plane.
pub enum Node<P> {
    /// The controller (id 0).
    Controller(Controller, std::marker::PhantomData<P>),
    /// The client (id 1).
    Client(Client),
    /// The instance of a task (ids 2, 3, …).
    Instance(Instance),
}

/// An actor's state.
pub enum NodeState<P: Exhaustive> {
    /// The controller's.
    Controller(ControllerState<P>),
    /// The client's.
    Client(ClientState),
    /// An instance's.
    Instance(InstanceState),
}

/// What an actor saves (the client saves nothing). The controller's record is shared:
/// stateright copies every actor's saved record into each next state, and most steps do not
/// change it.
pub enum Saved<P: Exhaustive> {
    /// The controller's record.
    Controller(Arc<ControllerState<P>>),
    /// An instance's record.
    Instance(InstanceState),
}

// Hand-written so that `P` needs only `Exhaustive` (derives would ask `P` itself for
// `Hash`, `Debug`, …, which an implementation under test need not offer).
impl<P> Clone for Node<P> {
    fn clone(&self) -> Self {
        match self {
            Node::Controller(c, _) => Node::Controller(c.clone(), std::marker::PhantomData),
            Node::Client(c) => Node::Client(c.clone()),
            Node::Instance(i) => Node::Instance(i.clone()),
        }
    }
}

impl<P> fmt::Debug for Node<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Controller(c, _) => c.fmt(f),
            Node::Client(c) => c.fmt(f),
            Node::Instance(i) => i.fmt(f),
        }
    }
}

macro_rules! by_variant {
    ($ty:ident { $($variant:ident),* }) => {
        impl<P: Exhaustive> Clone for $ty<P> {
            fn clone(&self) -> Self {
                match self { $($ty::$variant(x) => $ty::$variant(x.clone()),)* }
            }
        }
        impl<P: Exhaustive> fmt::Debug for $ty<P> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self { $($ty::$variant(x) => x.fmt(f),)* }
            }
        }
        impl<P: Exhaustive> PartialEq for $ty<P> {
            fn eq(&self, other: &Self) -> bool {
                match (self, other) {
                    $(($ty::$variant(a), $ty::$variant(b)) => a == b,)*
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }
        }
        impl<P: Exhaustive> Eq for $ty<P> {}
        impl<P: Exhaustive> Hash for $ty<P> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                std::mem::discriminant(self).hash(state);
                match self { $($ty::$variant(x) => x.hash(state),)* }
            }
        }
    };
}

by_variant!(NodeState {
    Controller,
    Client,
    Instance
});
by_variant!(Saved {
    Controller,
    Instance
});

impl<P: Exhaustive> From<ControllerState<P>> for Saved<P> {
    fn from(mut state: ControllerState<P>) -> Self {
        state.seal();
        Saved::Controller(Arc::new(state))
    }
}

fn sealed<P: Exhaustive>(mut state: ControllerState<P>) -> NodeState<P> {
    state.seal();
    NodeState::Controller(state)
}

impl<P: Exhaustive> From<InstanceState> for Saved<P> {
    fn from(state: InstanceState) -> Self {
        Saved::Instance(state)
    }
}

/// Replays a role's effects into stateright's `Out`, in order.
fn replay<P: Exhaustive, S: Into<Saved<P>>>(effects: Effects<S>, o: &mut Out<Node<P>>) {
    for effect in effects.0 {
        match effect {
            Effect::Send(to, msg) => o.send(to, msg),
            Effect::Set(timer) => o.set_timer(timer, model_timeout()),
            Effect::Cancel(timer) => o.cancel_timer(timer),
            Effect::Save(record) => o.save(record.into()),
        }
    }
}

/// The client saves nothing.
impl<P: Exhaustive> From<Infallible> for Saved<P> {
    fn from(never: Infallible) -> Self {
        match never {}
    }
}

fn apply<P: Exhaustive, S>(
    state: &mut Cow<NodeState<P>>,
    handled: Handled<S>,
    wrap: fn(S) -> NodeState<P>,
) {
    match handled {
        Handled::Ignored => {}
        // Consumed: an owned copy tells stateright the delivery happened.
        Handled::Same => {
            state.to_mut();
        }
        Handled::New(next) => *state = Cow::Owned(wrap(next)),
    }
}

impl<P: Exhaustive> Actor for Node<P> {
    type Msg = Msg;
    type State = NodeState<P>;
    type Timer = Timer;
    type Random = ();
    type Storage = Saved<P>;

    fn on_start(
        &self,
        _id: Id,
        storage: &Option<Self::Storage>,
        o: &mut Out<Self>,
    ) -> NodeState<P> {
        match self {
            Node::Controller(controller, _) => {
                let saved = match storage {
                    Some(Saved::Controller(state)) => Some(&**state),
                    _ => None,
                };
                let mut effects = Effects::default();
                let state = controller.start(saved, &mut effects);
                replay(effects, o);
                NodeState::Controller(state)
            }
            Node::Client(client) => {
                let mut effects = Effects::default();
                let state = client.start(&mut effects);
                replay(effects, o);
                NodeState::Client(state)
            }
            Node::Instance(instance) => {
                let saved = match storage {
                    Some(Saved::Instance(state)) => Some(state),
                    _ => None,
                };
                let mut effects = Effects::default();
                let state = instance.start(saved, &mut effects);
                replay(effects, o);
                NodeState::Instance(state)
            }
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        src: Id,
        msg: Self::Msg,
        o: &mut Out<Self>,
    ) {
        match (self, &**state) {
            (Node::Controller(controller, _), NodeState::Controller(s)) => {
                let mut effects = Effects::default();
                let handled = controller.on_msg(s, src, &msg, &mut effects);
                replay(effects, o);
                apply(state, handled, sealed);
            }
            (Node::Client(client), NodeState::Client(s)) => {
                let mut effects = Effects::default();
                let handled = client.on_msg(s, &msg, &mut effects);
                replay(effects, o);
                apply(state, handled, NodeState::Client);
            }
            (Node::Instance(instance), NodeState::Instance(s)) => {
                let mut effects = Effects::default();
                let handled = instance.on_msg(s, &msg, &mut effects);
                replay(effects, o);
                apply(state, handled, NodeState::Instance);
            }
            _ => {}
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        timer: &Self::Timer,
        o: &mut Out<Self>,
    ) {
        match (self, &**state) {
            (Node::Controller(controller, _), NodeState::Controller(s)) => {
                let mut effects = Effects::default();
                let handled = controller.on_timeout(s, timer, &mut effects);
                replay(effects, o);
                apply(state, handled, sealed);
            }
            (Node::Client(client), NodeState::Client(s)) => {
                let mut effects = Effects::default();
                let handled = client.on_timeout(s, timer, &mut effects);
                replay(effects, o);
                apply(state, handled, NodeState::Client);
            }
            (Node::Instance(instance), NodeState::Instance(s)) => {
                let mut effects = Effects::default();
                let handled = instance.on_timeout(s, timer, &mut effects);
                replay(effects, o);
                apply(state, handled, NodeState::Instance);
            }
            _ => {}
        }
    }

    fn name(&self) -> String {
        match self {
            Node::Controller(..) => "controller".to_string(),
            Node::Client(_) => "client".to_string(),
            Node::Instance(instance) => format!("instance {}", instance.task + 1),
        }
    }
}
