//! Page-number pagination of list operations (`page_number`/`page_size` in
//! the query, `meta` in the response), as a lazy stream of items.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt, stream};

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

/// The items of a list, page after page: what a list's `.into_stream()`
/// ([`Request::into_stream`]) returns. Each next page is asked for by its
/// number (`page_number=1`, `2`, ...) only when the items before it have
/// been read. It ends after the last item without asking for an empty page
/// when the response's `meta` says where the list ends (`total_pages`,
/// `total_items`, or a page shorter than `page_size`), and, rather than
/// yield the same items again, when the server answers with a page other
/// than the one asked for. An error ends the stream after it is yielded.
///
/// The common uses are methods of its own, so they need no import:
/// [`try_next`](ItemStream::try_next) for a loop,
/// [`try_collect`](ItemStream::try_collect) for every item and
/// [`take`](ItemStream::take) for the first few. It is also a `Stream` of
/// `Result<T, Error>`, for the combinators of `StreamExt` and
/// `TryStreamExt` (re-exported as `straddle_sdk::futures_util`).
///
/// ```
/// use straddle_sdk::{Error, Paginated, Request};
///
/// // `list` is the request of any list operation, with its arguments set.
/// async fn read<O>(list: Request<'_, O>) -> Result<(), Error>
/// where
///     O: Paginated + Send + Sync,
///     O::Item: Send + std::fmt::Debug,
/// {
///     // One item at a time, as the pages arrive.
///     let mut items = list.clone().into_stream();
///     while let Some(item) = items.try_next().await? {
///         println!("{item:?}");
///     }
///     // The first ten: no page after the one holding the tenth is asked for.
///     let first: Vec<O::Item> = list.clone().into_stream().take(10).try_collect().await?;
///     // Every item of every page.
///     let all: Vec<O::Item> = list.into_stream().try_collect().await?;
///     # let _ = (first, all);
///     Ok(())
/// }
/// ```
#[must_use = "a stream asks for nothing until it is read"]
pub struct ItemStream<'a, T> {
    items: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>,
}

impl<'a, T: 'a> ItemStream<'a, T> {
    fn new(items: impl Stream<Item = Result<T, Error>> + Send + 'a) -> Self {
        Self {
            items: Box::pin(items),
        }
    }

    /// The next item, `Ok(None)` after the last, or the error that ends the
    /// stream: `while let Some(item) = items.try_next().await? { .. }`.
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        self.next().await.transpose()
    }

    /// The next item or error, `None` after the last (as `StreamExt::next`).
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        StreamExt::next(&mut self.items).await
    }

    /// Every remaining item, in order, into any collection (`Vec<_>`, ...);
    /// the first error instead, if a page fails.
    pub async fn try_collect<C: Default + Extend<T>>(self) -> Result<C, Error> {
        TryStreamExt::try_collect(self.items).await
    }

    /// At most the next `n` items: the stream ends after the `n`th without
    /// asking for another page.
    pub fn take(self, n: usize) -> ItemStream<'a, T> {
        ItemStream::new(StreamExt::take(self.items, n))
    }
}

impl<T> Stream for ItemStream<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<T> fmt::Debug for ItemStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").finish_non_exhaustive()
    }
}

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
    /// Every page is asked for by its number, the first one included
    /// (`page_number=1` when the request sets none), so a server's log or a
    /// mock's expectation (`.page_number(1)`, `.page_number(2)`) names each.
    ///
    /// [`ItemStream`] has the common uses as methods: `try_next()` in a
    /// loop, `try_collect()` for every item, `take(n)` for the first few.
    pub fn into_stream(mut self) -> ItemStream<'a, O::Item> {
        if self.operation.page_number().is_none()
            && let Err(error) = self.operation.set_page_number(1)
        {
            return ItemStream::new(stream::once(async { Err(error) }));
        }
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
        ItemStream::new(
            pages
                .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
                .try_flatten(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Items 1 to 20 in pages of two, counting the pages asked for.
    fn ten_pages(asked: Arc<AtomicUsize>) -> ItemStream<'static, u32> {
        let pages = stream::try_unfold(1_u32, move |first| {
            let asked = asked.clone();
            async move {
                if first > 20 {
                    return Ok(None);
                }
                asked.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Error>(Some((vec![first, first + 1], first + 2)))
            }
        });
        ItemStream::new(
            pages
                .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
                .try_flatten(),
        )
    }

    fn items_then_failure() -> ItemStream<'static, u32> {
        ItemStream::new(stream::iter(vec![
            Ok(1),
            Ok(2),
            Err(Error::config("page 2 failed")),
        ]))
    }

    #[tokio::test]
    async fn take_asks_for_no_page_after_the_one_holding_the_last_item_wanted() {
        let asked = Arc::new(AtomicUsize::new(0));
        let first: Vec<u32> = ten_pages(asked.clone())
            .take(3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(first, [1, 2, 3]);
        assert_eq!(asked.load(Ordering::SeqCst), 2);

        let none: Vec<u32> = ten_pages(asked.clone())
            .take(0)
            .try_collect()
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(asked.load(Ordering::SeqCst), 2, "take(0) asks for nothing");
    }

    #[tokio::test]
    async fn try_next_gives_each_item_then_the_error_then_the_end() {
        let mut items = items_then_failure();
        assert_eq!(items.try_next().await.unwrap(), Some(1));
        assert_eq!(items.next().await.map(Result::ok), Some(Some(2)));
        let err = items.try_next().await.unwrap_err();
        assert!(err.to_string().contains("page 2 failed"), "{err}");
        assert_eq!(items.try_next().await.unwrap(), None);
        assert!(items.next().await.is_none());
    }

    #[tokio::test]
    async fn try_collect_gives_every_item_into_any_collection_or_the_first_error() {
        let asked = Arc::new(AtomicUsize::new(0));
        let all: Vec<u32> = ten_pages(asked.clone()).try_collect().await.unwrap();
        assert_eq!(all, (1..=20).collect::<Vec<_>>());
        assert_eq!(asked.load(Ordering::SeqCst), 10);
        let set: BTreeSet<u32> = ten_pages(asked).take(5).try_collect().await.unwrap();
        assert_eq!(set, BTreeSet::from([1, 2, 3, 4, 5]));
        let err = items_then_failure()
            .try_collect::<Vec<u32>>()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("page 2 failed"), "{err}");
    }

    #[test]
    fn an_item_stream_is_a_send_stream_of_results() {
        fn stream_of_results<S: Stream<Item = Result<u32, Error>> + Send + Unpin>(_: &S) {}
        stream_of_results(&items_then_failure());
    }

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
