//! Page-number pagination of list operations (`page_number`/`page_size` in
//! the query, `meta` in the response), as a lazy stream of items.

use std::pin::Pin;

use futures_core::Stream;
use futures_util::{TryStreamExt, stream};

use crate::Error;
use crate::request::{Operation, Request};

/// Where one page of a list sits, as the server reported it in `meta`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// The page this is (1-based).
    pub page_number: Option<i64>,
    /// The page size the server used.
    pub page_size: Option<i64>,
    /// How many items the whole list has.
    pub total_items: Option<i64>,
    /// How many pages the whole list has.
    pub total_pages: Option<i64>,
}

/// A number from a page's `meta`, whichever integer type the spec gave it.
#[doc(hidden)]
pub trait MetaNumber {
    /// The number, if the server sent one.
    fn get(&self) -> Option<i64>;
}

macro_rules! meta_number {
    ($($t:ty),*) => {$(
        impl MetaNumber for $t {
            fn get(&self) -> Option<i64> {
                i64::try_from(*self).ok()
            }
        }
        impl MetaNumber for Option<$t> {
            fn get(&self) -> Option<i64> {
                self.and_then(|n| i64::try_from(n).ok())
            }
        }
    )*};
}
meta_number!(i32, i64, u32, u64);

/// Page `page` as the type of the operation's `page_number` argument.
#[allow(dead_code)] // called by generated list operations; the shipped fragment has none
pub(crate) fn page_argument<T: TryFrom<i64>>(
    operation: &'static str,
    page: i64,
) -> Result<T, Error> {
    T::try_from(page).map_err(|_| {
        Error::invalid(
            operation,
            format!("page {page} does not fit the `page_number` argument"),
        )
    })
}

/// A list operation: one that takes `page_number` and answers with a page of
/// items and its [`PageInfo`]. Implemented by the generated operations.
pub trait Paginated: Operation + Clone {
    /// The type of one item of the list.
    type Item;

    /// The page the request asks for (`None`: the server's first page).
    #[doc(hidden)]
    fn page_number(&self) -> Option<i64>;
    /// Asks for page `page` instead.
    #[doc(hidden)]
    fn set_page_number(&mut self, page: i64) -> Result<(), Error>;
    /// Splits a response into its items and where the page sits.
    #[doc(hidden)]
    fn into_page(response: Self::Response) -> (Vec<Self::Item>, PageInfo);
}

/// Whether the page just read is the last one: it is empty or short, the
/// server says it is the last, or the items seen cover the total.
fn is_last(requested: i64, items: usize, seen: u64, info: &PageInfo) -> bool {
    items == 0
        || info.total_pages.is_some_and(|total| requested >= total)
        || info
            .total_items
            .is_some_and(|total| i64::try_from(seen).is_ok_and(|s| s >= total))
        || info.page_size.is_some_and(|size| (items as i64) < size)
}

/// The items of a list, page after page: what [`Request::into_stream`] returns.
/// Use it with `futures_util::TryStreamExt` (`try_next`, `try_collect`).
pub type ItemStream<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

impl<'a, O> Request<'a, O>
where
    O: Paginated + Send + Sync + 'a,
    O::Item: Send + 'a,
{
    /// Every item of the list from this request's page on, fetching each next
    /// page only when the items before it have been read.
    ///
    /// It stops after the last item without asking for an empty page when
    /// `meta` says where the list ends (`total_pages`, `total_items`, or a
    /// page shorter than `page_size`); and it stops, rather than yielding the
    /// same items again, when the server answers with a page other than the
    /// one asked for. An error ends the stream after it is yielded.
    ///
    /// ```
    /// use futures_util::TryStreamExt;
    /// use straddle_sdk::{Error, Paginated, Request};
    ///
    /// async fn everything<O>(list: Request<'_, O>) -> Result<Vec<O::Item>, Error>
    /// where
    ///     O: Paginated + Send + Sync,
    ///     O::Item: Send,
    /// {
    ///     list.into_stream().try_collect().await
    /// }
    /// ```
    pub fn into_stream(self) -> ItemStream<'a, O::Item> {
        let state = Some((self, 0_u64));
        let pages = stream::try_unfold(state, |state| async move {
            let Some((request, seen)) = state else {
                return Ok(None);
            };
            let requested = request.operation.page_number().unwrap_or(1);
            let (items, info) = O::into_page(request.clone().send().await?);
            if info.page_number.is_some_and(|page| page != requested) {
                // The server ignored the page asked for: its items were seen already.
                return Ok(None);
            }
            let seen = seen.saturating_add(items.len() as u64);
            let next = if is_last(requested, items.len(), seen, &info) {
                None
            } else {
                let mut next = request;
                next.operation.set_page_number(requested + 1)?;
                Some((next, seen))
            };
            Ok(Some((items, next)))
        });
        Box::pin(
            pages
                .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
                .try_flatten(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_is_known_from_meta_without_asking_for_another() {
        let info = |page_size, total_items, total_pages| PageInfo {
            page_number: None,
            page_size,
            total_items,
            total_pages,
        };
        assert!(is_last(1, 0, 0, &info(None, None, None)));
        assert!(!is_last(1, 10, 10, &info(None, None, None)));
        assert!(is_last(3, 10, 30, &info(None, None, Some(3))));
        assert!(!is_last(2, 10, 20, &info(None, None, Some(3))));
        assert!(is_last(2, 10, 25, &info(None, Some(25), None)));
        assert!(is_last(2, 4, 14, &info(Some(10), None, None)));
        assert!(!is_last(2, 10, 20, &info(Some(10), Some(30), Some(3))));
    }
}
