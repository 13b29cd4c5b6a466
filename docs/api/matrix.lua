--- lnn.Matrix: float32 matrices, indexed like numpy.
-- A matrix is one userdata (lnn.core's C, csrc/lua/lua_matrix.c); `m[i]` is row i
-- as a 1-D view and `m[i][k]` a number, so the book's `w[j][k]` reads as in
-- Python, 1-based.  Views (`m[i]`, `view`, `reshape`) share memory with their
-- owner and keep it alive.  There is no arithmetic here: the engine computes
-- on whole batches in C.  This file only documents the C type; its code is
-- csrc/lua/lua_matrix.c.
--
-- Errors are Lua errors naming the function and the argument, such as
-- "bad argument #1 to 'get' (index 0 out of range 1..3)"; a size must be 1 to
-- 2^30 and a matrix at most 2^31 elements; a value beyond float32's range is
-- refused (infinities are kept).
-- @module lnn.Matrix

--- Matrix(rows, cols [, fill]) or Matrix(rows_table): a new matrix.
-- From sizes, every element is fill (default 0), or the values of a table
-- (flat, rows x cols numbers in row order, or nested, one table per row);
-- from a table alone, its shape (a flat table is a column).
-- @param rows the number of rows (1 to 2^30), or a nested table of rows
-- @param cols the number of columns (1 to 2^30)
-- @param fill a number for every element, or a table of the values
-- @return the new lnn.Matrix
-- @usage
-- local m = lnn.Matrix(2, 3, 0.5)
-- local n = lnn.Matrix {{1, 2}, {3, 4}}
-- assert(n[2][1] == 3 and m:numel() == 6)
-- @function Matrix

--- Indexing, `m[i]`: row i as a 1-D view (a number for a 1-D view); `m[i] = {...}` sets a row.
-- An index out of range is an error.
-- @param i the row, 1 to #m
-- @return a view of row i, or a number
-- @usage
-- local m = lnn.Matrix {{1, 2}, {3, 4}}
-- local row = m[2]
-- row[1] = 30
-- assert(m:get(2, 1) == 30 and #m == 2)
-- @function __index

--- The length operator, `#m`: the number of rows (of elements, for a 1-D view).
-- @return the length
-- @usage
-- assert(#lnn.Matrix(3, 2) == 3)
-- @function __len

--- shape(): the rows and columns.
-- @return rows, cols
-- @usage
-- local r, c = lnn.Matrix(3, 2):shape()  -- 3, 2
-- @function shape

--- numel(): the number of elements, rows x cols.
-- @return the count
-- @usage
-- assert(lnn.Matrix(3, 2):numel() == 6)
-- @function numel

--- get(i, k): element (i, k), 1-based.
-- @param i the row
-- @param k the column
-- @return the number
-- @usage
-- assert(lnn.Matrix(2, 2, 7):get(2, 1) == 7)
-- @function get

--- set(i, k, v): sets element (i, k) to v (rounded to float32).
-- @param i the row
-- @param k the column
-- @param v the new value
-- @usage
-- local m = lnn.Matrix(2, 2)
-- m:set(1, 2, 0.25)
-- @function set

--- totable([flat]): the values as nested rows, or one flat list in row order
-- (always flat for a 1-D view).
-- @param flat true for one flat list
-- @return a new Lua table
-- @usage
-- local t = lnn.Matrix {{1, 2}, {3, 4}}:totable()      -- {{1, 2}, {3, 4}}
-- local f = lnn.Matrix {{1, 2}, {3, 4}}:totable(true)  -- {1, 2, 3, 4}
-- @function totable

--- copy(): a new matrix holding the same values (not a view).
-- @return the copy
-- @usage
-- local a = lnn.Matrix(2, 2, 1)
-- local b = a:copy()
-- b:set(1, 1, 5)
-- assert(a:get(1, 1) == 1)
-- @function copy

--- copy_from(src): copies src's values into m, in row order; the shapes may
-- differ but the element counts must match ("shapes differ: 2x3 <- 3x3").
-- @param src the lnn.Matrix to copy from
-- @return m itself
-- @usage
-- local m = lnn.Matrix(2, 3):copy_from(lnn.Matrix(3, 2, 1))
-- @function copy_from

--- fill(v): sets every element to v.
-- @param v the value
-- @return m itself
-- @usage
-- local m = lnn.Matrix(2, 2):fill(3)
-- @function fill

--- view(first, rows, cols): a rows x cols view of the elements from element
-- first (1-based, in row order), sharing m's memory.
-- @param first the first element, 1 to m:numel()
-- @param rows the view's rows
-- @param cols the view's columns
-- @return the view
-- @usage
-- local m = lnn.Matrix {{1, 2, 3}, {4, 5, 6}}
-- local v = m:view(2, 2, 2)  -- elements 2 to 5: {{2, 3}, {4, 5}}
-- assert(v:get(2, 1) == 4)
-- @function view

--- reshape(rows, cols): a view of all of m with another shape (the counts
-- must match: "cannot reshape 2x3 to 4x2").
-- @param rows the new rows
-- @param cols the new columns
-- @return the view
-- @usage
-- local col = lnn.Matrix(2, 3):reshape(6, 1)
-- @function reshape

--- maxabsdiff(other): the largest |m - other| over the elements (NaN when
-- either holds NaN); the counts must match.
-- @param other the lnn.Matrix to compare with
-- @return the largest difference
-- @usage
-- assert(lnn.Matrix(2, 2, 1):maxabsdiff(lnn.Matrix(2, 2, 1.5)) == 0.5)
-- @function maxabsdiff

--- sum(): the sum of the elements, added in double precision.
-- @return the sum
-- @usage
-- assert(lnn.Matrix(2, 3, 1):sum() == 6)
-- @function sum

--- argmax(): the 1-based index (in row order) of the largest element, the
-- first on ties: the book's np.argmax, plus one.
-- @return the index
-- @usage
-- assert(lnn.Matrix {0.1, 0.7, 0.2}:argmax() == 2)
-- @function argmax

--- apply(name): a new matrix of f(m) element-wise, f one of "sigmoid",
-- "sigmoid_prime", "tanh", "relu".
-- @param name the function's name
-- @return the new matrix
-- @usage
-- local s = lnn.Matrix {0}:apply("sigmoid")
-- assert(s:get(1, 1) == 0.5)
-- @function apply

--- tojson([layout]): JSON text of the matrix: "rows" (the default:
-- [[m11, m12, ...], ...]) or "column" ([[m1], [m2], ...], numpy's column
-- vector, every element in row order).  Numbers are the shortest text that
-- reads back as the same float32; NaN and infinity are an error.
-- @param layout "rows" or "column"
-- @return the text
-- @usage
-- assert(lnn.Matrix {{1, 2}}:tojson() == "[[1,2]]")
-- @function tojson
