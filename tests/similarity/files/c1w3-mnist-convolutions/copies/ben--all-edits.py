# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    x = np.expand_dims(images, axis=-1)  # channel axis
    x = x.astype('float32') / 255.0
    return x
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        values = logs or {}
        accuracy = values.get('accuracy', 0)
        if accuracy >= 0.995:
            print('\nReached 99.5% accuracy so cancelling training!')
            self.model.stop_training = True
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    net = tf.keras.Sequential()
    net.add(tf.keras.Input(shape=(28, 28, 1)))
    net.add(tf.keras.layers.Conv2D(filters=64, kernel_size=3, activation='relu'))  # 64 filters
    net.add(tf.keras.layers.MaxPooling2D(pool_size=2))
    net.add(tf.keras.layers.Flatten())
    net.add(tf.keras.layers.Dense(128, activation='relu'))
    net.add(tf.keras.layers.Dense(10, activation='softmax'))
    net.compile(metrics=['accuracy'], optimizer=tf.keras.optimizers.Adam(),
                loss=tf.keras.losses.SparseCategoricalCrossentropy())
    return net
