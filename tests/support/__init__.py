"""What the tests share: the real servers they start (Oxigraph, ``dipontology serve``) and the release built once
per test run. The fixtures that hand them to tests are in ``tests/conftest.py``."""
