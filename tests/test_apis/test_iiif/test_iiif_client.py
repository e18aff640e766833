"""The IIIF client against a server on 127.0.0.1 with faults injected: retries with backoff on
5xx, Retry-After honoured on 429, clear errors on 4xx, hung answers, cut answers and corrupt
images, few requests at a time, the cache on disk."""
import time

import cv2
import numpy as np
import pytest

from mmseg_heritage.apis.iiif import IIIFClient, IIIFError

from iiif_servers import serve

IMAGE = np.full((40, 60, 3), 90, np.uint8)
JPEG = cv2.imencode('.jpg', IMAGE)[1].tobytes()


def image_files(path):
    """Every path is a 60 x 40 JPEG, but /missing/."""
    if '/missing/' in path:
        return 404, b'not found', 'text/plain'
    return 200, JPEG, 'image/jpeg'


@pytest.fixture
def server():
    with serve(image_files) as running:
        yield running


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(waits):
    """A client that records its waits instead of sleeping."""
    return IIIFClient(timeout=2, retries=3, backoff=1.0, sleep=waits.append)


def test_server_errors_are_tried_again_after_a_doubling_pause(server, client, waits):
    server.faults.add('/a.jpg', (500, {}), (503, {}), (502, {}))
    image, data = client.get_image([f'{server.url}/a.jpg'], (60, 40))
    assert data == JPEG and image.shape == (40, 60, 3)
    assert server.requests == ['/a.jpg'] * 4 and waits == [1.0, 2.0, 4.0]


def test_too_many_requests_waits_as_long_as_retry_after_asks(server, client, waits):
    server.faults.add('/a.jpg', (429, {'Retry-After': '7'}), (503, {'Retry-After': '2'}))
    client.get(f'{server.url}/a.jpg')
    assert waits == [7.0, 2.0]


def test_a_server_asking_too_long_a_wait_is_an_error(server, waits):
    client = IIIFClient(max_wait=60, sleep=waits.append)
    server.faults.add('/a.jpg', (429, {'Retry-After': '3600'}))
    with pytest.raises(IIIFError, match=r'/a\.jpg: HTTP 429.*asks to wait 3600 s') as error:
        client.get(f'{server.url}/a.jpg')
    assert error.value.status == 429 and waits == []


def test_server_errors_that_outlast_the_retries_name_url_and_status(server, client, waits):
    server.faults.add('/a.jpg', *[(500, {})] * 4)
    with pytest.raises(IIIFError, match=r'http://127\.0\.0\.1:\d+/a\.jpg: HTTP 500 Internal '
                       r'Server Error \(4 tries\)') as error:
        client.get(f'{server.url}/a.jpg')
    assert error.value.status == 500 and len(server.requests) == 4


def test_client_errors_are_not_tried_again(server, client, waits):
    server.faults.add('/a.jpg', (403, {}))
    with pytest.raises(IIIFError, match=r'/a\.jpg: HTTP 403 Forbidden$'):
        client.get(f'{server.url}/a.jpg')
    assert len(server.requests) == 1 and waits == []


def test_a_hung_answer_times_out(server, waits):
    client = IIIFClient(timeout=0.2, retries=1, sleep=waits.append)
    server.faults.add('/a.jpg', 'hang', 'hang')
    with pytest.raises(IIIFError, match=r'/a\.jpg: no answer within the timeout.*\(2 tries\)'):
        client.get(f'{server.url}/a.jpg')
    assert waits == [1.0]


def test_an_answer_cut_off_is_tried_again(server, client, waits):
    server.faults.add('/a.jpg', 'cut')
    assert client.get_image([f'{server.url}/a.jpg'], (60, 40))[1] == JPEG
    server.faults.add('/a.jpg', *['cut'] * 4)
    with pytest.raises(IIIFError, match=r'/a\.jpg: the answer was cut off'):
        client.get(f'{server.url}/a.jpg')


def test_a_corrupt_or_wrongly_sized_image_is_named(waits):
    truncated = JPEG[:len(JPEG) // 2]
    with serve(lambda path: (200, truncated, 'image/jpeg')) as server:
        client = IIIFClient(sleep=waits.append)
        with pytest.raises(IIIFError, match=r'/t\.jpg: the image could not be decoded'):
            client.get_image([f'{server.url}/t.jpg'], (60, 40))
    with serve(image_files) as server:
        with pytest.raises(IIIFError, match=r'/a\.jpg: the server gave 60 x 40 px for a region '
                           r'of 64 x 40 px'):
            client.get_image([f'{server.url}/a.jpg'], (64, 40))
        with pytest.raises(IIIFError, match='not a JSON document'):
            client.get_json(f'{server.url}/a.jpg')


def test_other_urls_are_tried_when_one_is_not_found(server, client):
    urls = [f'{server.url}/missing/a.jpg', f'{server.url}/b.jpg']
    assert client.get_image(urls, (60, 40))[1] == JPEG
    with pytest.raises(IIIFError, match=r'/missing/c\.jpg: HTTP 404') as error:  # the first
        client.get_image([f'{server.url}/missing/c.jpg', f'{server.url}/missing/d.jpg'],
                         (60, 40))
    assert error.value.status == 404


def test_a_few_requests_at_a_time():
    with serve(image_files, delay=0.05) as server:
        client = IIIFClient(concurrency=2)
        images = client.get_images([([f'{server.url}/{i}.jpg'], (60, 40)) for i in range(8)])
        client.close()
    assert len(images) == 8 and len(server.requests) == 8
    assert server.most_in_flight <= 2


def test_the_first_failure_stops_the_rest():
    # Each answer takes 50 ms: the 20 would take half a second at 2 at a time, far longer
    # than stopping takes.
    with serve(lambda path: (404, b'', 'text/plain'), delay=0.05) as server:
        client = IIIFClient(concurrency=2)
        requests = [([f'{server.url}/missing/{i}.jpg'], (60, 40)) for i in range(20)]
        with pytest.raises(IIIFError, match='HTTP 404'):
            client.get_images(requests)
        client.close()
    assert len(server.requests) < 20


def test_of_several_failures_the_first_in_order_is_raised(monkeypatch):
    # The second region fails at once, the first a moment later: the error names the first
    # all the same, so a run's message does not depend on which answer came first.
    def get_image(urls, size):
        time.sleep(0.2 if urls[0] == 'first' else 0)
        raise IIIFError(f'{urls[0]}: HTTP 500', status=500)

    client = IIIFClient(concurrency=2)
    monkeypatch.setattr(client, 'get_image', get_image)
    with pytest.raises(IIIFError, match='^first: HTTP 500'):
        client.get_images([(['first'], (60, 40)), (['second'], (60, 40))])
    client.close()


def test_cached_images_are_not_fetched_again(server, tmp_path):
    client = IIIFClient(cache_dir=tmp_path / 'cache')
    first = client.get_image([f'{server.url}/a.jpg'], (60, 40))[0]
    again = client.get_image([f'{server.url}/a.jpg'], (60, 40))[0]
    assert (first == again).all() and server.requests == ['/a.jpg']
    for cached in (tmp_path / 'cache').rglob('*'):
        if cached.is_file():
            cached.write_bytes(b'damaged')  # fetched again rather than failing
    client.get_image([f'{server.url}/a.jpg'], (60, 40))
    assert server.requests == ['/a.jpg'] * 2


def test_settings_are_checked():
    with pytest.raises(ValueError, match='concurrency >= 1'):
        IIIFClient(concurrency=0)
