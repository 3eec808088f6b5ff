"""The production nginx file is the template rendered, and nginx accepts it as it is."""

import dataclasses
import subprocess

from deploy import nginx_config
from deploy.stack import NGINX


def test_the_committed_production_file_is_the_rendered_template():
    committed = nginx_config.PRODUCTION_FILE.read_text()
    assert committed == nginx_config.production(), "run `make nginx-conf` and commit the result"


def test_nginx_accepts_the_production_file(tmp_path):
    # The production site file with a throw-away certificate and paths of this test: the
    # directives themselves are checked by nginx, TLS and the redirect server included.
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=wir.example.org", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    site = dataclasses.replace(
        nginx_config.PRODUCTION,
        tls=(str(certificate), str(key)),
        cache_dir=tmp_path / "cache",
        access_log=f"{tmp_path / 'access.log'} wir",
        static_dir=tmp_path,
    )
    site_file = tmp_path / "wir.conf"
    site_file.write_text(nginx_config.render(site))
    main = tmp_path / "nginx.conf"
    error_log = str(tmp_path / "error.log")
    main.write_text(nginx_config.main_config(tmp_path, site_file, None, error_log))
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", error_log],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
