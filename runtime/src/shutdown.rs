//! The stop signal shared by every pipeline of a process: set once on
//! SIGINT/SIGTERM (or when a run fails), watched by sources so that they
//! stop intake, after which what is buffered is committed.

use tokio::sync::watch;

/// Sets the signal.
#[derive(Clone, Debug)]
pub struct Trigger(watch::Sender<bool>);

/// Watches the signal.
#[derive(Clone, Debug)]
pub struct Shutdown(watch::Receiver<bool>);

/// A new, unset signal.
pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Shutdown(rx))
}

impl Trigger {
    pub fn set(&self) {
        self.0.send_replace(true);
    }

    pub fn subscribe(&self) -> Shutdown {
        Shutdown(self.0.subscribe())
    }
}

impl Shutdown {
    /// A signal that is never set (tests, one-shot runs).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive for the life of the process: a dropped
        // sender would read as "closed", which `wait` treats as set.
        std::mem::forget(tx);
        Shutdown(rx)
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the signal is set (or its trigger is gone).
    pub async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|set| *set).await;
    }
}
