from core.text import one_line


def test_line_breaks_and_control_characters_become_one_space():
    assert one_line("Autoridad: “defensor\r\ndel\u2028pueblo”\x00\t!") == (
        "Autoridad: “defensor del pueblo” !"
    )


def test_a_long_text_is_cut_with_an_ellipsis_within_the_bound():
    line = one_line("palabra " * 100, max_length=40)
    assert len(line) <= 40
    assert line.endswith("…")
    assert "\n" not in line


def test_a_short_single_line_is_left_as_it_is():
    assert one_line("[Semáforo] Case #7 is past its deadline") == (
        "[Semáforo] Case #7 is past its deadline"
    )
