//! Tarjan's strongly connected components: the sets of nodes that reach
//! each other, so a set of more than one node is a loop.

use std::collections::BTreeSet;

/// The components of more than one node of the graph `edges` (node → the
/// nodes it points to), each sorted, in the order of their smallest node.
pub fn loops(edges: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    let mut t = Tarjan {
        edges,
        index: vec![None; edges.len()],
        low: vec![0; edges.len()],
        on_stack: vec![false; edges.len()],
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in 0..edges.len() {
        if t.index[node].is_none() {
            t.visit(node);
        }
    }
    let mut found: Vec<Vec<usize>> = t.found.into_iter().filter(|c| c.len() > 1).collect();
    for c in &mut found {
        c.sort_unstable();
    }
    found.sort();
    found
}

struct Tarjan<'g> {
    edges: &'g [BTreeSet<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    found: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn visit(&mut self, node: usize) {
        self.index[node] = Some(self.next);
        self.low[node] = self.next;
        self.next += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
        for &to in &self.edges[node] {
            match self.index[to] {
                None => {
                    self.visit(to);
                    self.low[node] = self.low[node].min(self.low[to]);
                }
                Some(i) if self.on_stack[to] => self.low[node] = self.low[node].min(i),
                Some(_) => {}
            }
        }
        if Some(self.low[node]) == self.index[node] {
            let mut component = Vec::new();
            while let Some(top) = self.stack.pop() {
                self.on_stack[top] = false;
                component.push(top);
                if top == node {
                    break;
                }
            }
            self.found.push(component);
        }
    }
}
