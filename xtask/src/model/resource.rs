//! The public resource tree: `client.customers().review()` is the node
//! `customers.review`, a struct with an accessor per child and a method per
//! operation.

use std::collections::BTreeMap;

use crate::error::{Result, XtaskError, pointer};
use crate::model::operation::Operation;
use crate::names::type_name;
use crate::spec::Spec;
use crate::spec::operations::Operations;

/// A node of the resource tree; the root is the client itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// Its path (`["customers", "review"]`); empty for the root.
    pub path: Vec<String>,
    /// Its children, by name.
    pub children: Vec<Resource>,
    /// Its operations, as indices into the model's operations.
    pub operations: Vec<usize>,
}

impl Resource {
    /// The node's struct name (`CustomersReview`).
    pub fn type_name(&self) -> String {
        type_name(&self.path.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The node's own name (`review`).
    pub fn name(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or_default()
    }

    /// This node and every node below it, depth first.
    pub fn walk(&self) -> Vec<&Resource> {
        let mut nodes = vec![self];
        for child in &self.children {
            nodes.extend(child.walk());
        }
        nodes
    }
}

/// The names an operation gives the `resources` module: its request
/// builder (`RefreshCustomerReviewRequest`) and the operation itself, its
/// arguments (`RefreshCustomerReview`: `Request<'_, RefreshCustomerReview>`,
/// the mock's `Answer<RefreshCustomerReview>`).
pub fn operation_types(operation: &Operation) -> [String; 2] {
    let operation = type_name(&[operation.id.as_str()]);
    [format!("{operation}Request"), operation]
}

/// The tree of `operations` (in `ops` order); the structs of resource
/// nodes and of operations share one module, so no two may have one name.
pub fn tree(spec: &Spec, ops: &Operations, operations: &[Operation]) -> Result<Resource> {
    let mut root = Resource::default();
    for (index, operation) in operations.iter().enumerate() {
        let mut node = &mut root;
        for depth in 1..=operation.resource.len() {
            let path = &operation.resource[..depth];
            let at = match node.children.iter().position(|c| c.path == path) {
                Some(at) => at,
                None => {
                    node.children.push(Resource {
                        path: path.to_vec(),
                        ..Resource::default()
                    });
                    node.children.len() - 1
                }
            };
            node = &mut node.children[at];
        }
        node.operations.push(index);
    }
    sort(&mut root);
    check_type_names(spec, ops, &root, operations)?;
    Ok(root)
}

fn sort(node: &mut Resource) {
    node.children.sort_by(|a, b| a.path.cmp(&b.path));
    for child in &mut node.children {
        sort(child);
    }
}

fn check_type_names(
    spec: &Spec,
    ops: &Operations,
    root: &Resource,
    operations: &[Operation],
) -> Result<()> {
    for (i, operation) in operations.iter().enumerate() {
        for depth in 1..=operation.resource.len() {
            let path = &operation.resource[..depth];
            let ty = type_name(&path.iter().map(String::as_str).collect::<Vec<_>>());
            if crate::names::PRELUDE.contains(&ty.as_str()) {
                return Err(XtaskError::at(
                    &ops.file,
                    format!("/operation/{i}"),
                    format!(
                        "the resource `{}` would be the type `{ty}`, named like Rust's prelude item",
                        path.join(".")
                    ),
                ));
            }
        }
    }
    let mut names: BTreeMap<String, String> = root
        .walk()
        .into_iter()
        .skip(1)
        .map(|node| {
            (
                node.type_name(),
                format!("the resource `{}`", node.path.join(".")),
            )
        })
        .collect();
    for (operation, entry) in operations.iter().zip(&ops.operations) {
        let at = pointer([
            "paths",
            entry.path.as_str(),
            entry.method.as_str(),
            "operationId",
        ]);
        for ty in operation_types(operation) {
            let clash = match names.insert(ty.clone(), format!("operation {:?}", operation.id)) {
                _ if crate::names::PRELUDE.contains(&ty.as_str()) => {
                    "named like Rust's prelude item".to_string()
                }
                Some(other) => format!("as would {other}"),
                None => continue,
            };
            return Err(XtaskError::at(
                &spec.file,
                at,
                format!(
                    "operation {:?} would be the type `{ty}`, {clash}",
                    operation.id
                ),
            ));
        }
    }
    Ok(())
}
