import pytest

from trustaudit.config import ConfigError, load_config
from trustaudit.models import Severity


def test_trustaudit_toml(tmp_path):
    (tmp_path / "trustaudit.toml").write_text(
        'fail_under = 70\nfail_on = "high"\nlang = "pl"\n[skip]\n"support.chat" = "phone only"\n[weights]\n"content.social-profiles" = 0\n',
        encoding="utf-8",
    )
    cfg = load_config(cwd=tmp_path)
    assert cfg.fail_under == 70 and cfg.fail_on is Severity.HIGH and cfg.lang == "pl"
    assert cfg.skip == {"support.chat": "phone only"}
    assert cfg.weights == {"content.social-profiles": 0.0}


def test_pyproject_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.trustaudit]\nfail_under = 55\n', encoding="utf-8")
    assert load_config(cwd=tmp_path).fail_under == 55


def test_no_config_is_empty(tmp_path):
    assert load_config(cwd=tmp_path).fail_under is None


@pytest.mark.parametrize("body,msg", [
    ("nonsense = 1\n", "unknown key"),
    ('fail_on = "loud"\n', "loud"),
    ('[skip]\n"a.b" = ""\n', "needs a reason"),
    ("fail_under = [\n", "trustaudit.toml"),
])
def test_bad_config_is_a_clear_error(tmp_path, body, msg):
    (tmp_path / "trustaudit.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=msg):
        load_config(cwd=tmp_path)
