-- trim_text (macros/core/text.sql) returns what trim() returns: its DuckDB fast path skips trim() for ASCII
-- text without an edge space, so every kind of edge (ASCII and Unicode spaces, tabs, accents) is checked here.

with

samples as (
    select sample_values.text_value
    from (
        values
        ('abc'), (' abc'), ('abc '), ('  a b  '), (''), (' '), ('   '), (cast(null as {{ dbt.type_string() }})),
        ('123456789012'), (' 0042'), ('a' || chr(9)), (chr(9) || 'a'), ('café'), ('é'), (' é '),
        (chr(160) || 'a'), ('a' || chr(160)), (chr(160)), (chr(8195) || 'x' || chr(8195)), (chr(12288) || 'y'),
        ('z' || chr(8239)), ('a' || chr(160) || 'b'), ('ß '), ('日本')
    ) as sample_values (text_value)
),

compared as (
    select
        text_value,
        trim(text_value) as expected,
        {{ trim_text('text_value') }} as actual,
        {{ clean_text('text_value') }} as cleaned
    from samples
),

final as (
    select
        text_value,
        expected,
        actual,
        cleaned
    from compared
    where
        actual is distinct from expected
        or cleaned is distinct from nullif(expected, '')
)

select * from final
