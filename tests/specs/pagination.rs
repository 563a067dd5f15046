//! Calls the code generated from `tests/specs/pagination.json` (compiled as a
//! scratch crate by `tests/codegen.rs`): one page, and every item as a stream.

// Combinators through the SDK's re-export, as a consumer without a
// `futures` dependency of their own writes them.
use spec_pagination::futures_util::{StreamExt, TryStreamExt};
use spec_pagination::{Client, Error};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(ids: &[i32], page_number: i32, total_pages: i32, total_items: i32) -> ResponseTemplate {
    let data: Vec<_> = ids.iter().map(|id| serde_json::json!({"id": id})).collect();
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "data": data,
        "meta": {
            "page_number": page_number, "page_size": 2, "total_items": total_items,
            "total_pages": total_pages, "max_page_size": 100
        }
    }))
}

async fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .api_key("sk_test_0123456789")
        .base_url(server.uri())
        .max_retries(0)
        .build()
        .expect("client builds")
}

async fn mount(server: &MockServer, page_number: &str, template: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/v1/widgets"))
        .and(query_param("page_number", page_number))
        .respond_with(template)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_stream_reads_every_page_and_asks_for_no_page_past_the_last() {
    let server = MockServer::start().await;
    mount(&server, "1", page(&[1, 2], 1, 3, 5)).await;
    mount(&server, "2", page(&[3, 4], 2, 3, 5)).await;
    mount(&server, "3", page(&[5], 3, 3, 5)).await;
    let client = client_for(&server).await;
    let ids: Vec<i32> = client
        .widgets()
        .list()
        .page_number(1)
        .page_size(2)
        .into_stream()
        .map_ok(|w| w.id)
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 3, "no request after the last page");
    assert!(
        requests
            .iter()
            .all(|r| r.url.query().is_some_and(|q| q.contains("page_size=2")))
    );
}

#[tokio::test]
async fn send_returns_one_page() {
    let server = MockServer::start().await;
    mount(&server, "2", page(&[3, 4], 2, 3, 5)).await;
    let client = client_for(&server).await;
    let one = client
        .widgets()
        .list()
        .page_number(2)
        .send()
        .await
        .expect("a page");
    assert_eq!(one.data.len(), 2);
    assert_eq!(one.meta.page_number, 2);
}

#[tokio::test]
async fn a_server_that_repeats_a_page_ends_the_stream_instead_of_looping() {
    let server = MockServer::start().await;
    // Whatever page is asked for, page 1 comes back, with no end in sight.
    Mock::given(method("GET"))
        .respond_with(page(&[1, 2], 1, 1000, 2000))
        .mount(&server)
        .await;
    let client = client_for(&server).await;
    let ids: Vec<i32> = client
        .widgets()
        .list()
        .into_stream()
        .map_ok(|w| w.id)
        .try_collect()
        .await
        .expect("ends");
    assert_eq!(ids, [1, 2]);
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        2
    );
}

#[tokio::test]
async fn an_empty_first_page_is_an_empty_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(page(&[], 1, 0, 0))
        .mount(&server)
        .await;
    let client = client_for(&server).await;
    let mut stream = client.widgets().list().into_stream();
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn an_error_on_a_later_page_is_yielded_after_the_items_before_it_and_ends_the_stream() {
    let server = MockServer::start().await;
    mount(&server, "1", page(&[1, 2], 1, 3, 6)).await;
    mount(&server, "2", ResponseTemplate::new(500)).await;
    let client = client_for(&server).await;
    let results: Vec<Result<i32, Error>> = client
        .widgets()
        .list()
        .page_number(1)
        .into_stream()
        .map_ok(|w| w.id)
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().ok(), Some(&1));
    assert_eq!(results[1].as_ref().ok(), Some(&2));
    assert_eq!(
        results[2]
            .as_ref()
            .err()
            .and_then(Error::status)
            .map(|s| s.as_u16()),
        Some(500)
    );
}

/// The stream's own methods, with no `futures` trait in scope.
mod without_a_futures_import {
    use super::{MockServer, client_for, mount, page};

    #[tokio::test]
    async fn its_own_methods_read_items_and_take_stops_at_the_page_it_needs() {
        let server = MockServer::start().await;
        mount(&server, "1", page(&[1, 2], 1, 3, 5)).await;
        mount(&server, "2", page(&[3, 4], 2, 3, 5)).await;
        mount(&server, "3", page(&[5], 3, 3, 5)).await;
        let client = client_for(&server).await;
        let list = client.widgets().list().page_number(1).page_size(2);

        let first: Vec<_> = list
            .clone()
            .into_stream()
            .take(3)
            .try_collect()
            .await
            .expect("3 items");
        assert_eq!(first.iter().map(|w| w.id).collect::<Vec<_>>(), [1, 2, 3]);
        let asked = server.received_requests().await.expect("recording").len();
        assert_eq!(asked, 2, "the third page holds no item wanted");

        let mut items = list.into_stream();
        let mut ids = Vec::new();
        while let Some(widget) = items.try_next().await.expect("every page") {
            ids.push(widget.id);
        }
        assert_eq!(ids, [1, 2, 3, 4, 5]);
    }
}

/// A list whose first page is not set still asks for `page_number=1`, so a
/// mock (or a log) tells each page's request apart.
#[tokio::test]
async fn every_page_is_asked_for_by_number_the_first_one_included() {
    let server = MockServer::start().await;
    mount(&server, "1", page(&[1, 2], 1, 2, 3)).await;
    mount(&server, "2", page(&[3], 2, 2, 3)).await;
    let client = client_for(&server).await;
    let ids: Vec<i32> = client
        .widgets()
        .list()
        .page_size(2)
        .into_stream()
        .map_ok(|w| w.id)
        .try_collect()
        .await
        .expect("both pages, each matched by its number");
    assert_eq!(ids, [1, 2, 3]);
    let requests = server.received_requests().await.expect("recording");
    let pages: Vec<_> = requests
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "page_number").map(|(_, v)| v.into_owned()))
        .collect();
    assert_eq!(pages, [Some("1".to_string()), Some("2".to_string())]);
}
