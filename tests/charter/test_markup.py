from charter.markup import render


def test_headings_paragraphs_lists_and_links():
    html = render(
        "# Charte\n\n## Préambule\nUn paragraphe\nsur deux lignes.\n\n- un\n- [site](https://example.org)"
        "\n\n1. premier\n2. second\n\nTexte **gras** et *italique*."
    )
    assert "<h2>Charte</h2>" in html and "<h2>Préambule</h2>" in html
    assert "<p>Un paragraphe sur deux lignes.</p>" in html
    assert '<ul>\n<li>un</li>\n<li><a href="https://example.org">site</a></li>\n</ul>' in html
    assert "<ol>" in html and "<li>second</li>" in html
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html


def test_html_and_unsafe_links_are_neutralised():
    html = render(
        '<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://a.b/"onmouseover=x)'
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "onmouseover=x" not in html.split("href=")[-1].split(">")[0] or "&quot;" in html
