"""工作日历: the county-editable working-day calendar (public holidays, 调休 working weekends) that deadlines in
working days are computed with."""
