-- Reference data: the districts (stadsdelar) and the jobbtorg serving them, with validity dates
-- (Hägersten-Liljeholmen and Älvsjö became Hägersten-Älvsjö on 2020-01-01). The file, not the code,
-- changes when the city reorganises: jobbtorg_pipeline/reference/stadsdelar.csv.
SELECT stadsdel, jobbtorg, giltig_fran, giltig_till
FROM read_csv(getvariable('jobbtorg_stadsdelar_csv'), delim = ';', header = true,
              columns = {'stadsdel': 'VARCHAR', 'jobbtorg': 'VARCHAR', 'giltig_fran': 'DATE', 'giltig_till': 'DATE'})
ORDER BY stadsdel, giltig_fran
