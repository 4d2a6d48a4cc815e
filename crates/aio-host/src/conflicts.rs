//! A plan's conflicts for a person: each disagreement, at every line of
//! the topology that holds the value the cloud disagrees with.

use aio_engine::{Conflict, Plan};

use crate::Host;

impl Host {
    /// One line per place and disagreement,
    /// `FILE:LINE:COL: conflict: ID KEY is FOUND, but WHAT says WANTED`,
    /// and one at the conflict's id when the file holds no line for a key.
    pub fn located_conflicts(&self, plan: &Plan) -> Vec<String> {
        plan.conflicts.iter().flat_map(|c| self.lines(c)).collect()
    }

    fn lines(&self, conflict: &Conflict) -> Vec<String> {
        let source = &self.topology().source;
        let mut out = Vec::new();
        for d in &conflict.differences {
            let found = d.found.plain();
            let wanted = d.wanted.plain();
            let places: Vec<_> = self
                .families()
                .iter()
                .find(|f| f.name() == conflict.provider)
                .map(|f| f.locate_key(self.topology(), &conflict.id, &d.key))
                .unwrap_or_default();
            if places.is_empty() {
                out.push(format!(
                    "{}: conflict: {} {} is {found}, the topology says {wanted}",
                    source.path().display(),
                    conflict.id,
                    d.key
                ));
            }
            for (span, what) in places {
                let (line, col) = source.line_col(span.start);
                out.push(format!(
                    "{}:{line}:{col}: conflict: {} {} is {found}, but {what} says {wanted}",
                    source.path().display(),
                    conflict.id,
                    d.key
                ));
            }
        }
        out
    }
}
